package dev.notify.store.jdbc;

import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread interrupted while H2 reads its file (a shutdown, a cancelled task, a caller's own
 * thread) must not break the database for everyone else. With H2's plain {@code file:} store the
 * interrupt closes the file channel and every later statement fails; the embedded default uses
 * H2's {@code retry:} file system, which reopens it.
 */
class H2InterruptTest {

    @Test
    void anInterruptedReadOfTheEmbeddedDatabaseLeavesItUsable(@TempDir Path dir) throws Exception {
        String url = JdbcStoreConfig.h2(dir).effectiveJdbcUrl();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE filler(x INT, pad VARCHAR(2000))");
            s.execute("INSERT INTO filler SELECT X, SPACE(2000) FROM SYSTEM_RANGE(1, 20000)");
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SET CACHE_SIZE 64"); // 64 KiB: the 40 MB table must be read from the file
            Thread.currentThread().interrupt();
            try (ResultSet rs = s.executeQuery("SELECT SUM(LENGTH(pad)) FROM filler")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(40_000_000L);
            } finally {
                Thread.interrupted();
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM filler")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(20_000L);
            }
        }
    }

    @Test
    void aStoreCallOnAnInterruptedThreadDoesNotBreakTheStore(@TempDir Path dir) {
        try (NotificationStore store = JdbcNotificationStore.openH2(dir)) {
            Notification n = Notification.builder().recipient("u1").title("before").build();
            store.save(new PublishRequest(n, "scope", List.of(Audience.user("u1")), List.of(), Optional.empty()));
            Thread.currentThread().interrupt();
            try {
                store.readAll(0, 10);
            } catch (RuntimeException ignored) {
                // the interrupted call itself may fail; what matters is the next one
            } finally {
                Thread.interrupted();
            }
            Notification m = Notification.builder().recipient("u1").title("after").build();
            store.save(new PublishRequest(m, "scope", List.of(Audience.user("u1")), List.of(), Optional.empty()));
            assertThat(store.stats("u1").total()).isEqualTo(2);
        }
    }
}
