package dev.notify.web;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class RefusedBodiesTest {

    private static ByteArrayInputStream body(int bytes) {
        return new ByteArrayInputStream(new byte[bytes]);
    }

    @Test
    void readsAndDiscardsTheRestOfABodyWithinTheLimit() {
        ByteArrayInputStream in = body(300_000);

        RefusedBodies.drain(in, 300_000);

        assertThat(in.available()).isZero();
    }

    @Test
    void leavesABodyThatDeclaredMoreThanTheLimitToBeCutOff() {
        ByteArrayInputStream in = body(1_000);

        RefusedBodies.drain(in, RefusedBodies.DRAIN_LIMIT + 1);

        assertThat(in.available()).isEqualTo(1_000);
    }

    @Test
    void stopsReadingAtTheLimitWhateverTheBodyHolds() {
        int more = 100_000;
        ByteArrayInputStream in = body((int) RefusedBodies.DRAIN_LIMIT + more);

        RefusedBodies.drain(in, -1);

        assertThat(in.available()).isBetween(more - 8192, more);
    }

    @Test
    void aClientThatGivesUpMidwayIsIgnored() {
        InputStream broken = new InputStream() {
            private int left = 10_000;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("connection reset");
                }
                return 0;
            }
        };

        assertThatCode(() -> RefusedBodies.drain(broken, 20_000)).doesNotThrowAnyException();
    }
}
