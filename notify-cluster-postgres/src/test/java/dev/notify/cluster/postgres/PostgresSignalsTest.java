package dev.notify.cluster.postgres;

import dev.notify.api.Audience;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignal;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.Config;
import dev.notify.testkit.PostgresServer;
import dev.notify.testkit.RecordingClusterContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine against a real PostgreSQL: two "nodes" in one JVM, each with its own engine. */
class PostgresSignalsTest {

    private final List<ClusterSignals> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(ClusterSignals::close);
    }

    @Test
    void aMessageSentByOneNodeReachesTheOtherWithinMilliseconds() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        Node a = node("a", url);
        Node b = node("b", url);
        ClusterMessage m = new ClusterMessage("a", Instant.now(), List.of(
                new ClusterSignal.LogAppended(42, List.of(Audience.user("u1"))), new ClusterSignal.InboxChanged("u2")));

        long start = System.nanoTime();
        a.engine.send(m);
        ClusterMessage got = b.next();

        assertThat(got).isEqualTo(m);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms from NOTIFY to the listener").isLessThan(1000);
        assertThat(a.engine.connected()).isTrue();
    }

    @Test
    void notificationsOnTheChannelThatAreNotNotifysAreIgnored() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        Node b = node("b", url);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("NOTIFY notify_signals, 'hello'");
        }
        Node a = node("a", url);
        ClusterMessage m = new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.DeliveryDue()));
        a.engine.send(m);

        assertThat(b.next()).isEqualTo(m);
    }

    @Test
    void aNodeListensAgainAfterTheDatabaseRestartsAndAsksTheHostToCatchUp() throws Exception {
        PostgresServer own = PostgresServer.startOwn(Path.of("target", "postgres-restart"));
        try {
            String url = own.createDatabase();
            Node a = node("a", url);
            Node b = node("b", url);
            a.engine.send(new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.DeliveryDue())));
            assertThat(b.next()).isNotNull();

            own.stop();
            a.engine.send(new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.DeliveryDue()))); // lost, without throwing
            own.startAgain();

            assertThat(b.resyncs.poll(20, TimeUnit.SECONDS)).as("resync after reconnecting").isNotNull();
            assertThat(b.engine.connected()).isTrue();
            ClusterMessage after = new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.InboxChanged("u9")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            ClusterMessage got = null;
            while (got == null && System.nanoTime() < deadline) {
                // the sender reopens its connection at most once per backoff step, so the first sends may be dropped
                a.engine.send(after);
                got = b.messages.poll(300, TimeUnit.MILLISECONDS);
            }
            assertThat(got).isEqualTo(after);
        } finally {
            own.stop();
        }
    }

    @Test
    void aConfigurationWithoutAPostgresUrlIsRefusedWithTheKeyToSet() {
        assertThatThrownBy(() -> new PostgresSignalsProvider().create(new Node("a", Config.empty())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster.postgres.jdbc-url");
        assertThatThrownBy(() -> new PostgresSignalsProvider().create(new Node("a", Config.of(Map.of("jdbc-url", "jdbc:h2:mem:x")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql:");
    }

    private Node node(String id, String url) {
        Node n = new Node(id, Config.of(Map.of("jdbc-url", url)));
        n.engine = new PostgresSignalsProvider().create(n);
        engines.add(n.engine);
        return n;
    }

    /** A host of one engine, which records what it is handed. */
    private static final class Node extends RecordingClusterContext {
        ClusterSignals engine;

        Node(String id, Config config) {
            super(id, config);
        }
    }
}
