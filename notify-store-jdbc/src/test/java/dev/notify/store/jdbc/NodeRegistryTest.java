package dev.notify.store.jdbc;

import dev.notify.api.spi.NodeStatus;
import dev.notify.api.spi.StoreException;
import dev.notify.testkit.PostgresServer;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The node registry and the once-per-cluster leads, with two stores standing for two nodes. */
class NodeRegistryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void twoNodesOnPostgresSeeEachOtherAndOneOfThemLeadsAChore() {
        String url = PostgresServer.shared().createDatabase();
        try (JdbcNotificationStore a = open(url); JdbcNotificationStore b = open(url)) {
            a.heartbeat(new NodeStatus("node-a", "http://127.0.0.1:1", T0, T0, 3, 1, false));
            b.heartbeat(new NodeStatus("node-b", "http://127.0.0.1:2", T0, T0.plusSeconds(1), 0, 0, false));
            a.heartbeat(new NodeStatus("node-a", "http://127.0.0.1:1", T0, T0.plusSeconds(5), 4, 2, false));

            assertThat(b.nodes()).extracting(n -> n.nodeId() + " " + n.address() + " " + n.connections() + " " + n.claimedDeliveries())
                    .containsExactly("node-a http://127.0.0.1:1 4 2", "node-b http://127.0.0.1:2 0 0");

            Duration term = Duration.ofMinutes(1);
            assertThat(a.tryLead("prune", "node-a", T0, term)).isTrue();
            assertThat(b.tryLead("prune", "node-b", T0.plusSeconds(1), term)).as("node-a leads until T0+60s").isFalse();
            assertThat(a.tryLead("prune", "node-a", T0.plusSeconds(60), term)).as("the leader renews").isTrue();
            assertThat(b.tryLead("prune", "node-b", T0.plusSeconds(119), term)).isFalse();
            assertThat(b.tryLead("prune", "node-b", T0.plusSeconds(120), term)).as("node-a's lead lapsed").isTrue();
            assertThat(a.tryLead("other", "node-a", T0, term)).as("each chore has its own lead").isTrue();
        }
    }

    @Test
    void aNodeThatStoppedCleanlyIsMarkedStoppedAndOneThatWentSilentIsNotAlive() {
        String url = PostgresServer.shared().createDatabase();
        try (JdbcNotificationStore a = open(url)) {
            a.heartbeat(new NodeStatus("node-a", "", T0, T0, 0, 0, false));
            a.heartbeat(new NodeStatus("node-b", "", T0, T0, 0, 0, false));
            a.heartbeat(new NodeStatus("node-a", "", T0, T0.plusSeconds(30), 0, 0, true));

            assertThat(a.nodes()).extracting(NodeStatus::stopped).containsExactly(true, false);
            assertThat(a.nodes().get(1).aliveAt(T0.plusSeconds(10), Duration.ofSeconds(15))).isTrue();
            assertThat(a.nodes().get(1).aliveAt(T0.plusSeconds(16), Duration.ofSeconds(15))).isFalse();
        }
    }

    @Test
    void aSecondNodeOnOneH2DatabaseIsRefusedWithTheAdviceToUsePostgres(@TempDir Path dir) throws Exception {
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", dir.toString()).start();
        String url = "jdbc:h2:tcp://localhost:" + server.getPort() + "/notify";
        try (JdbcNotificationStore a = open(url); JdbcNotificationStore b = open(url)) {
            Instant now = Instant.now();
            a.heartbeat(new NodeStatus("node-a", "http://127.0.0.1:1", now, now, 0, 0, false));

            assertThatThrownBy(() -> b.heartbeat(new NodeStatus("node-b", "", now, now.plusSeconds(1), 0, 0, false)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("node-a").hasMessageContaining("H2 is single-node").hasMessageContaining("PostgreSQL");
            a.heartbeat(new NodeStatus("node-a", "http://127.0.0.1:1", now, now.plusSeconds(2), 0, 0, true));
            b.heartbeat(new NodeStatus("node-b", "", now, now.plusSeconds(3), 0, 0, false)); // once the first one stopped
        } finally {
            server.stop();
        }
    }

    @Test
    void aNodeRestartedAfterACrashOnItsEmbeddedH2DatabaseIsNotKeptWaitingForItsOldHeartbeat(@TempDir Path dir) {
        Instant now = Instant.now();
        try (JdbcNotificationStore before = JdbcNotificationStore.open(JdbcStoreConfig.h2(dir))) {
            before.heartbeat(new NodeStatus("node-old", "", now, now, 0, 0, false)); // and then it "crashed": never stopped
        }
        try (JdbcNotificationStore after = JdbcNotificationStore.open(JdbcStoreConfig.h2(dir))) {
            after.heartbeat(new NodeStatus("node-new", "", now, now.plusSeconds(1), 0, 0, false));
            assertThat(after.nodes()).extracting(NodeStatus::nodeId).containsExactly("node-new", "node-old");
        }
    }

    @Test
    void anEmbeddedH2DatabaseInUseByAnotherProcessIsRefusedWithTheSameAdvice(@TempDir Path dir) throws Exception {
        // a second JVM holds the embedded database open, as a first node would
        Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DurabilityChild.class.getName(), "h2:" + dir)
                .redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(first.getInputStream()))) {
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                // start-up output of the first node
            }
            assertThatThrownBy(() -> JdbcNotificationStore.open(JdbcStoreConfig.h2(dir)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use by another process").hasMessageContaining("H2 is single-node")
                    .hasMessageContaining("jdbc:postgresql:");
        } finally {
            first.destroyForcibly().waitFor();
        }
    }

    private static JdbcNotificationStore open(String url) {
        return JdbcNotificationStore.open(JdbcStoreConfig.builder().jdbcUrl(url).poolSize(2).build());
    }
}
