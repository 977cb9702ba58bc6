package dev.notify.server.channels;

import dev.notify.server.TestServer;
import dev.notify.testkit.PostgresServer;
import dev.notify.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three servers in one JVM on one PostgreSQL database, signalling through a real redis-server; the
 * stream poll is 5 s, so what crosses nodes faster came through Redis. The quick companion of
 * {@link RedisClusterIT} (server jars), for the cases where a node's tailer serves none of a user's
 * connections until the user connects to it.
 */
class RedisNodesTest {

    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");
    private static RedisServer redis;
    private final List<TestServer> nodes = new ArrayList<>();
    private final HttpClient http = SseClient.http();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(Path.of("target", "redis"));
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(TestServer::close);
    }

    private void startNodes(int count) throws Exception {
        String db = PostgresServer.shared().createDatabase();
        for (int i = 0; i < count; i++) {
            String id = "node-" + (char) ('a' + i);
            nodes.add(TestServer.start(b -> b.dbUrl(db).nodeId(id)
                    .set("cluster.signals", "redis").set("cluster.redis.url", redis.url())
                    .set("cluster.stream-poll-interval", "5s")));
        }
    }

    @Test
    void aClientOnEachOtherNodeGetsWhatNodeAPublishedWithinMilliseconds() throws Exception {
        startNodes(3);
        try (SseClient onB = stream(nodes.get(1), "u1", null); SseClient onC = stream(nodes.get(2), "u1", null)) {
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                publish(nodes.get(0), "{\"recipients\":[\"u1\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
                assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(i);
                assertThat(n(onC.nextEvent("task.progress").data())).isEqualTo(i);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms, far below the 5 s poll").isLessThan(2_000);
            }
        }
    }

    @Test
    void aClientThatResumesOnANodeThatServedNoneOfItsEventsMissesNothingAndGetsNothingTwice() throws Exception {
        startNodes(3);
        String last;
        try (SseClient onB = stream(nodes.get(1), "u-move", null)) {
            SseClient.Frame f = null;
            for (int i = 0; i < 10; i++) {
                publish(nodes.get(0), "{\"recipients\":[\"u-move\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
                f = onB.nextEvent("task.progress");
            }
            last = f.id();
        }
        for (int i = 10; i < 60; i++) {
            publish(nodes.get(0), "{\"recipients\":[\"u-move\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
        }
        try (SseClient onC = stream(nodes.get(2), "u-move", last)) {
            Thread publisher = new Thread(() -> {
                for (int i = 60; i < 90; i++) {
                    publish(nodes.get(0), "{\"recipients\":[\"u-move\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
                }
            });
            publisher.start();
            List<Integer> got = new ArrayList<>();
            while (got.isEmpty() || got.get(got.size() - 1) < 89) {
                got.add(n(onC.nextEvent("task.progress").data()));
            }
            publisher.join();
            List<Integer> expected = new ArrayList<>();
            for (int i = 10; i < 90; i++) {
                expected.add(i);
            }
            assertThat(got).isEqualTo(expected);
        }
    }

    private SseClient stream(TestServer node, String user, String lastEventId) {
        SseClient s = SseClient.connect(http, node.uri("/api/v1/notifications/stream"), node.jwt(user), lastEventId);
        assertThat(s.status()).isEqualTo(200);
        if (lastEventId == null) {
            s.greeting();
        }
        return s;
    }

    private static void publish(TestServer node, String json) {
        assertThat(node.post("/api/v1/notifications", node.apiKey(), json).statusCode()).isEqualTo(202);
    }

    private static int n(String data) {
        Matcher m = N.matcher(data);
        assertThat(m.find()).as(data).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
