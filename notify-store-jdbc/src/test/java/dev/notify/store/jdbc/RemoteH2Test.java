package dev.notify.store.jdbc;

import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An H2 database behind H2's TCP server ({@code jdbc:h2:tcp:}) lives in another process's store,
 * which this one cannot write itself: the store keeps H2's {@code WRITE_DELAY 0} there, so each
 * commit is written before it returns, and starts no checkpoint thread.
 */
class RemoteH2Test {

    @Test
    void aRemoteH2DatabaseWritesEachCommitItselfAndTheStoreWorksAsUsual(@TempDir Path dir) throws Exception {
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", dir.toString()).start();
        long checkpointThreads = checkpointThreads();
        try (JdbcNotificationStore store = JdbcNotificationStore.open(JdbcStoreConfig.builder()
                .jdbcUrl("jdbc:h2:tcp://localhost:" + server.getPort() + "/notify").build())) {
            assertThat(checkpointThreads()).as("checkpoint threads").isEqualTo(checkpointThreads);

            Notification n = Notification.builder().id("remote-1").recipient("alice").title("t").build();
            store.save(new PublishRequest(n, "test", List.of(Audience.user("alice")),
                    List.of(new NewDelivery("webhook", "ep1", n.createdAt())), Optional.empty()));

            assertThat(store.readAll(0, 10).entries()).singleElement()
                    .satisfies(e -> assertThat(e.notification().id()).isEqualTo("remote-1"));
            assertThat(store.deliveries("remote-1")).hasSize(1);
        } finally {
            server.stop();
        }
    }

    private static long checkpointThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("notify-store-h2-checkpoint")).count();
    }
}
