package dev.notify.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listen backlog: with Jetty's default (the JVM's 50) a reconnect storm of 10,000 clients
 * waited half a minute for SYN retries while the server idled (issue 15). How long a storm takes
 * is the peers benchmark's to measure (notify-bench/peers.sh); this pins the setting.
 */
class ListenBacklogTest {

    @Test
    void theServerAsksTheKernelForABacklogOf4096NotTheJvmDefaultOf50() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server().acceptQueueSize()).isEqualTo(4096);
        }
    }
}
