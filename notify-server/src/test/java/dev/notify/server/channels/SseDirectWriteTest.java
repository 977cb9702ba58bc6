package dev.notify.server.channels;

import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The SSE channel writes a frame through the output stream's public {@code write(ByteBuffer)} where
 * it finds one, and falls back to {@code write(byte[])} plus {@code flush()} where not. This server's
 * Jetty has it: a Jetty upgrade that drops it would keep streams working, only slower, so it is
 * checked here rather than noticed in a benchmark.
 */
class SseDirectWriteTest {

    @Test
    void theServersServletOutputStreamOffersAPublicWriteOfAByteBuffer() {
        assertThatCode(() -> MethodHandles.publicLookup().findVirtual(HttpOutput.class, "write",
                MethodType.methodType(void.class, ByteBuffer.class))).doesNotThrowAnyException();
    }
}
