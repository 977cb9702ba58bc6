package dev.notify.store.jdbc;

import dev.notify.testkit.PostgresServer;

import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A publisher killed with SIGKILL")
class DurabilityTest {

    private static final int ACKNOWLEDGED_BEFORE_KILL = 400;

    @Test
    void losesNothingItAcknowledgedAndLeavesNothingHalfWrittenOnH2() throws Exception {
        Path dir = Path.of("target", "h2", "durability-" + UUID.randomUUID());
        Set<String> acknowledged = runAndKill("h2:" + dir.toAbsolutePath());

        // Reopening runs the store's start-up (pool, migrations) on the file the killed process left.
        JdbcNotificationStore.openH2(dir).close();
        verify(JdbcStoreConfig.h2(dir).effectiveJdbcUrl(), acknowledged);
        publishesWithFreshIdsAfterwards(JdbcStoreConfig.h2(dir));
    }

    @Test
    void losesNothingItAcknowledgedAndLeavesNothingHalfWrittenOnPostgres() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        Set<String> acknowledged = runAndKill(url);

        JdbcNotificationStore.open(JdbcStoreConfig.builder().jdbcUrl(url).build()).close();
        verify(url, acknowledged);
        publishesWithFreshIdsAfterwards(JdbcStoreConfig.builder().jdbcUrl(url).build());
    }

    /**
     * Identity values come from a cache (H2: 100,000 at a time, db/h2/V3): the killed process took
     * a range it never used up, and the next one must start beyond it, never inside it.
     */
    private static void publishesWithFreshIdsAfterwards(JdbcStoreConfig config) throws Exception {
        long maxDelivery;
        long maxInbox;
        try (Connection c = DriverManager.getConnection(config.effectiveJdbcUrl()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT MAX(id) FROM notify_delivery), (SELECT MAX(ord) FROM notify_inbox)")) {
            rs.next();
            maxDelivery = rs.getLong(1);
            maxInbox = rs.getLong(2);
        }
        try (JdbcNotificationStore store = JdbcNotificationStore.open(config)) {
            Notification n = Notification.builder().id("after-the-kill").recipient("alice").title("t").build();
            PublishResult r = store.save(new PublishRequest(n, "test", List.of(Audience.user("alice")),
                    List.of(new NewDelivery("webhook", "ep1", n.createdAt())), Optional.empty()));
            assertThat(r.deliveries()).singleElement().satisfies(d -> assertThat(d.id()).isGreaterThan(maxDelivery));
        }
        try (Connection c = DriverManager.getConnection(config.effectiveJdbcUrl()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ord FROM notify_inbox WHERE notification_id = 'after-the-kill'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isGreaterThan(maxInbox);
        }
    }

    private static Set<String> runAndKill(String target) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DurabilityChild.class.getName(), target)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<String> acknowledged = new HashSet<>();
        long started = System.nanoTime();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("d-")) {
                    acknowledged.add(line);
                }
                if (acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL || System.nanoTime() > deadline) {
                    // SIGKILL mid-flight: the publishing threads are busy, some saves are half done.
                    // Through the handle, so that the pipe stays open for the lines already printed
                    // (Process.destroyForcibly() would close our end of it).
                    child.toHandle().destroyForcibly();
                    break;
                }
            }
            // Lines already printed when the process died were acknowledged too.
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("d-")) {
                    acknowledged.add(line);
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        System.out.printf("%s: %d publishes acknowledged in %d ms before SIGKILL%n", target, acknowledged.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(acknowledged).as("publishes acknowledged before the kill").hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
        return acknowledged;
    }

    private static void verify(String url, Set<String> acknowledged) throws Exception {
        Map<String, int[]> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT n.id, "
                    + "(SELECT COUNT(*) FROM notify_delivery d WHERE d.notification_id = n.id), "
                    + "(SELECT COUNT(*) FROM notify_event e WHERE e.notification_id = n.id), "
                    + "(SELECT COUNT(*) FROM notify_inbox i WHERE i.notification_id = n.id) FROM notify_notification n")) {
                while (rs.next()) {
                    counts.put(rs.getString(1), new int[] {rs.getInt(2), rs.getInt(3), rs.getInt(4)});
                }
            }
            for (String table : List.of("notify_delivery", "notify_event", "notify_inbox")) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table + " t WHERE NOT EXISTS "
                        + "(SELECT 1 FROM notify_notification n WHERE n.id = t.notification_id)")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("orphan rows in " + table).isZero();
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(MAX(seq), 0), "
                    + "(SELECT last_seq FROM notify_log_state) FROM notify_event")) {
                rs.next();
                assertThat(rs.getLong(1)).as("event sequences have no gaps").isEqualTo(rs.getLong(2));
                assertThat(rs.getLong(3)).as("the log state matches the log").isEqualTo(rs.getLong(2));
            }
        }
        assertThat(counts.keySet()).as("every acknowledged publish survived").containsAll(acknowledged);
        counts.forEach((id, c) -> assertThat(c).as("deliveries, events and inbox rows of " + id).containsExactly(2, 3, 2));
    }
}
