package dev.notify.server.channels;

import dev.notify.server.TestServer;
import dev.notify.testkit.PostgresServer;
import dev.notify.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cluster.redis.payloads} ({@code --redis-payloads}) with two servers in one JVM on one
 * PostgreSQL, through a real redis-server. Node B's tailer polls the log once an hour, so a read of
 * the log on B is one that a signal asked for, counted by {@code notify.stream.tailer.reads}; what B
 * pushed from carried entries is {@code notify.cluster.payloads.used}, what made it read the log
 * instead {@code notify.cluster.payloads.fallbacks}.
 */
class RedisPayloadsTest {

    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");
    private static RedisServer redis;
    private final List<TestServer> nodes = new ArrayList<>();
    private final HttpClient http = SseClient.http();
    private TestServer a;
    private TestServer b;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(Path.of("target", "redis-payloads"));
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(TestServer::close);
    }

    private String startNodes() {
        String db = PostgresServer.shared().createDatabase();
        a = node(db, "node-a", "redis");
        b = node(db, "node-b", "redis");
        return db;
    }

    private TestServer node(String db, String id, String signals) {
        TestServer s = TestServer.start(x -> x.dbUrl(db).nodeId(id).set("cluster.signals", signals).set("cluster.redis.url", redis.url())
                .set("cluster.redis.payloads", "true").set("cluster.stream-poll-interval", "1h"));
        nodes.add(s);
        return s;
    }

    @Test
    void aClientOnNodeBGetsWhatNodeAPublishedWithoutNodeBReadingTheLog() throws Exception {
        startNodes();
        try (SseClient onB = stream(b, "u1")) {
            publish(a, "u1", 0);
            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(0);
            long reads = metric(b, "notify_stream_tailer_reads");
            long used = metric(b, "notify_cluster_payloads_used");

            for (int i = 1; i <= 20; i++) {
                publish(a, "u1", i);
                assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(i);
            }

            // counted just after the push that the client saw
            awaitMetric(b, "notify_cluster_payloads_used", used + 20);
            assertThat(metric(b, "notify_cluster_payloads_fallbacks")).isZero();
            // at most the one read that B's own subscription may still have asked for, never one per event
            assertThat(metric(b, "notify_stream_tailer_reads") - reads).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void anEntryWhoseSignalWasLostMakesNodeBReadTheLogAndTheClientGetsEveryEventOnceInOrder() throws Exception {
        String db = startNodes();
        // a node that tells nobody: its entry is in the log, its signal is "lost"
        TestServer silent = node(db, "node-c", "in-process");
        try (SseClient onB = stream(b, "u2")) {
            publish(a, "u2", 0);
            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(0);

            publish(silent, "u2", 1);
            publish(a, "u2", 2); // carried with the sequence of 1 as its previous: B has not seen 1

            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(1);
            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(2);
            awaitMetric(b, "notify_cluster_payloads_fallbacks", 1);

            publish(a, "u2", 3);
            assertThat(n(onB.nextEvent("task.progress").data())).as("nothing twice: 2 is not sent again").isEqualTo(3);
        }
    }

    @Test
    void aClientResumingOnNodeBWhileNodeAPublishesGetsEveryEventOnceInOrder() throws Exception {
        startNodes();
        String last;
        try (SseClient first = stream(b, "u4")) {
            publish(a, "u4", 0);
            last = first.nextEvent("task.progress").id();
        }
        for (int i = 1; i < 20; i++) {
            publish(a, "u4", i); // nobody of u4 on B now: B hears none of these
        }
        Thread publisher = new Thread(() -> {
            for (int i = 20; i < 80; i++) {
                publish(a, "u4", i);
            }
        });
        SseClient resumed = SseClient.connect(http, b.uri("/api/v1/notifications/stream"), b.jwt("u4"), last);
        try (resumed) {
            publisher.start(); // carried entries arrive while B replays 1..19 from the log
            List<Integer> got = new ArrayList<>();
            while (got.isEmpty() || got.get(got.size() - 1) < 79) {
                got.add(n(resumed.nextEvent("task.progress").data()));
            }
            publisher.join();
            assertThat(got).isEqualTo(java.util.stream.IntStream.range(1, 80).boxed().toList());
            assertThat(metric(b, "notify_cluster_payloads_used")).isPositive();
        }
    }

    @Test
    void aCarriedEntryArrivingAgainOrLateIsNotPushedTwice() throws Exception {
        startNodes();
        RedisClient client = RedisClient.create(redis.url());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
             SseClient onB = stream(b, "u3")) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    seen.add(message);
                }
            });
            sub.sync().subscribe("notify:user:u3");
            publish(a, "u3", 0);
            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(0);
            String first = seen.poll(10, TimeUnit.SECONDS);
            assertThat(first).as("the entry travels whole").contains(" E").contains("task.progress");
            publish(a, "u3", 1);
            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(1);

            try (var pub = client.connect()) {
                pub.sync().publish("notify:user:u3", first); // a duplicate, out of order
            }
            publish(a, "u3", 2);

            // the duplicate reached B before 2 did (one Redis, published first): pushed, it would come before 2
            assertThat(n(onB.nextEvent("task.progress").data())).as("0 is not sent again").isEqualTo(2);
            assertThat(metric(b, "notify_cluster_payloads_fallbacks")).isZero();
        } finally {
            client.shutdown();
        }
    }

    private SseClient stream(TestServer node, String user) {
        SseClient s = SseClient.connect(http, node.uri("/api/v1/notifications/stream"), node.jwt(user), null);
        assertThat(s.status()).isEqualTo(200);
        s.greeting();
        return s;
    }

    private static void publish(TestServer node, String user, int n) {
        assertThat(node.post("/api/v1/notifications", node.apiKey(),
                "{\"recipients\":[\"" + user + "\"],\"event\":\"task.progress\",\"data\":{\"n\":" + n + "}}").statusCode()).isEqualTo(202);
    }

    private static long metric(TestServer node, String name) {
        String text = node.get("/metrics", null).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(2));
    }

    private static void awaitMetric(TestServer node, String name, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metric(node, name) < atLeast) {
            assertThat(System.nanoTime()).as(name + " reaches " + atLeast).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static int n(String data) {
        Matcher m = N.matcher(data);
        assertThat(m.find()).as(data).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
