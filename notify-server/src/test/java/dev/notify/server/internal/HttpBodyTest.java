package dev.notify.server.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 7: a declared Content-Length is not memory the server sets aside before the bytes arrive. */
class HttpBodyTest {

    @Test
    void aLargeDeclaredLengthAllocatesOnlyWhatArrives() throws Exception {
        // com.sun.management.ThreadMXBean through its interface, which the test's module does not read at compile time
        Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        Object threads = ManagementFactory.getThreadMXBean();
        byte[] small = "{\"recipients\":[\"u1\"]}".getBytes(StandardCharsets.UTF_8);
        Http.read(new ByteArrayInputStream(small), 64L << 20, 128L << 20); // warm up the code path

        long before = (long) allocatedBytes.invoke(threads);
        String body = Http.read(new ByteArrayInputStream(small), 64L << 20, 128L << 20);
        long allocated = (long) allocatedBytes.invoke(threads) - before;

        assertThat(body).isEqualTo("{\"recipients\":[\"u1\"]}");
        assertThat(allocated).as("bytes allocated to read a 21-byte body declared as 64 MiB").isLessThan(1L << 20);
    }

    @Test
    void aBodyOverTheLimitIsStillRefusedWithoutADeclaredLength() {
        byte[] big = new byte[5000];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Http.read(new ByteArrayInputStream(big), -1, 4096))
                .isInstanceOf(ApiException.class).hasMessageContaining("larger than 4096");
    }
}
