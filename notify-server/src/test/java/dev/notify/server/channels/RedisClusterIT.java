package dev.notify.server.channels;

import dev.notify.server.ServerProcess;
import dev.notify.server.TestServer;
import dev.notify.testkit.RedisServer;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of {@link ClusterIT} again, with the three server jars exchanging their signals through
 * a real {@code redis-server} (password set) instead of LISTEN/NOTIFY, and consuming one Redis Stream
 * as a consumer group; then what only Redis brings: Redis killed and restarted mid-stream, the
 * ingestion's dead letters and claims, and the start-up with a wrong password or no Redis at all.
 * The stream poll stays 5 s, so whatever crosses nodes faster came through Redis.
 */
@DisplayName("three nodes on one PostgreSQL, signals through Redis")
class RedisClusterIT extends ClusterIT {

    private static final String STREAM = "notify-it-ingest";
    private RedisServer redis;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    @Override
    List<String> engineArgs() {
        if (redis == null) {
            redis = RedisServer.start(Path.of("target", "redis-cluster"));
            client = RedisClient.create(redis.url());
            connection = client.connect();
        }
        return List.of("--redis-url", redis.url(), "--redis-ingest-stream", STREAM, "--set", "ingest.redis.claim-idle=1s",
                "--set", "cluster.redis.max-backoff=500ms");
    }

    @Override
    String postgresDirectory() {
        return "postgres-redis-cluster";
    }

    @Override
    String engineDescription() {
        return "redis pub/sub at 127.0.0.1:" + redis.port();
    }

    @AfterAll
    void stopRedis() {
        if (connection != null) {
            connection.close();
            client.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private RedisCommands<String, String> redis() {
        return connection.sync();
    }

    @Test
    @Order(10)
    @DisplayName("Redis killed and restarted mid-stream: the health says so, and a client on B gets every event A published, in order, once")
    void redisKilledMidStream() throws Exception {
        try (SseClient onB = stream(b(), "u-redis-down", null)) {
            for (int i = 0; i < 60; i++) {
                if (i == 20) {
                    redis.kill();
                    awaitHealth(b(), "\"cluster\":\"redis: down\"");
                }
                if (i == 40) {
                    redis.startAgain();
                }
                publish(a(), "{\"recipients\":[\"u-redis-down\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
            }
            long last = 0;
            for (int i = 0; i < 60; i++) {
                SseClient.Frame f = onB.nextEvent("task.progress");
                assertThat(n(f.data())).as("event %d in order", i).isEqualTo(i);
                assertThat(Long.parseLong(f.id())).isGreaterThan(last);
                last = Long.parseLong(f.id());
            }
            assertThat(onB.poll(Duration.ofMillis(500))).as("nothing twice").satisfiesAnyOf(
                    f -> assertThat(f).isNull(), f -> assertThat(f.event()).isNotEqualTo("task.progress"));
            awaitHealth(b(), "\"cluster\":\"redis: up\"");
            // signals flow again: fast, not at the 5 s poll
            long t0 = System.nanoTime();
            publish(a(), "{\"recipients\":[\"u-redis-down\"],\"event\":\"task.progress\",\"data\":{\"n\":60}}");
            assertThat(n(onB.nextEvent("task.progress").data())).isEqualTo(60);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms once Redis is back").isLessThan(2_000);
        }
        assertThat(b().process.output()).containsOnlyOnce("lost Redis at");
    }

    @Test
    @Order(11)
    @DisplayName("entries XADDed to the ingest stream reach a client on B once each; a poison entry and an invalid one go to the dead letters")
    void ingestion() throws Exception {
        try (SseClient onB = stream(b(), "u-ingest", null)) {
            RedisCommands<String, String> r = redis();
            for (int i = 0; i < 30; i++) {
                r.xadd(STREAM, Map.of("notification", "{\"recipients\":[\"u-ingest\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i
                        + "},\"idempotencyKey\":\"ingest-" + i + "\"}"));
                if (i == 10) {
                    r.xadd(STREAM, Map.of("notification", "{\"recipients\":[\"u-ingest\"],\"event\":\"task.progress\",\"channels\":[\"carrier-pigeon\"]}"));
                    r.xadd(STREAM, Map.of("notification", "{\"recipients\":", "trace", "t-42"));
                    // a producer's retry of entry 3: stored once
                    r.xadd(STREAM, Map.of("notification", "{\"recipients\":[\"u-ingest\"],\"event\":\"task.progress\",\"data\":{\"n\":3},"
                            + "\"idempotencyKey\":\"ingest-3\"}"));
                }
            }
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                assertThat(got.add(n(onB.nextEvent("task.progress").data()))).as("each once").isTrue();
            }
            assertThat(got).hasSize(30).allMatch(n -> n >= 0 && n < 30);
            assertThat(onB.poll(Duration.ofMillis(500))).as("the retried entry is not delivered twice").satisfiesAnyOf(
                    f -> assertThat(f).isNull(), f -> assertThat(f.event()).isNotEqualTo("task.progress"));

            awaitTrue(() -> r.xlen(STREAM + ":dead") == 2, "two dead letters");
            List<StreamMessage<String, String>> dead = r.xrange(STREAM + ":dead", Range.create("-", "+"));
            assertThat(dead).anySatisfy(m -> assertThat(m.getBody().get("_reason")).contains("carrier-pigeon"));
            assertThat(dead).anySatisfy(m -> assertThat(m.getBody()).containsEntry("trace", "t-42")
                    .hasEntrySatisfying("_reason", reason -> assertThat(reason).contains("JSON")));
            awaitTrue(() -> r.xpending(STREAM, "notify").getCount() == 0, "everything acknowledged");
        }
    }

    @Test
    @Order(12)
    @DisplayName("entries read by a node that died before storing them are claimed by a live node and delivered")
    void deadConsumersEntriesAreClaimed() throws Exception {
        try (SseClient onA = stream(a(), "u-claim", null)) {
            RedisCommands<String, String> r = redis();
            // node C was killed (kill -9 above): here it had read five entries just before it died. In one
            // transaction, so that the live nodes, blocked in XREADGROUP, cannot take them first
            r.multi();
            for (int i = 0; i < 5; i++) {
                r.xadd(STREAM, Map.of("notification", "{\"recipients\":[\"u-claim\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}"));
            }
            r.xreadgroup(Consumer.from("notify", "node-c"), XReadArgs.Builder.count(5), XReadArgs.StreamOffset.lastConsumed(STREAM));
            List<StreamMessage<String, String>> taken = r.exec().get(5);
            assertThat(taken).as("node C holds all five").hasSize(5);
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                got.add(n(onA.nextEvent("task.progress").data()));
            }
            assertThat(got).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
            awaitTrue(() -> r.xpending(STREAM, "notify").getCount() == 0, "node C's entries claimed and acknowledged");
        }
    }

    @Test
    @Order(13)
    @DisplayName("a wrong Redis password stops the start with a message saying so; an unreachable Redis is a degraded start")
    void startUpWithoutRedis() throws Exception {
        Path jar = Path.of("target", "notify-server.jar").toAbsolutePath();
        Path dir = Files.createTempDirectory("notify-redis-start");
        String wrong = redis.urlWithWrongPassword();
        try (ServerProcess p = ServerProcess.start(List.of(ServerProcess.java(), "-Xmx128m", "-jar", jar.toString(), "--port", "0",
                "--host", "127.0.0.1", "--data-dir", dir.resolve("wrong").toString(), "--redis-url", wrong,
                "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET), dir)) {
            assertThat(p.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(p.output()).contains("refused the credentials").contains("--redis-url").doesNotContain(redis.password());
        }
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (ServerProcess p = ServerProcess.start(List.of(ServerProcess.java(), "-Xmx128m", "-jar", jar.toString(), "--port", "0",
                "--host", "127.0.0.1", "--data-dir", dir.resolve("unreachable").toString(), "--redis-url", "redis://127.0.0.1:" + closedPort,
                "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET), dir)) {
            URI base = p.awaitListening(Duration.ofSeconds(120));
            assertThat(p.output()).contains("is unreachable").contains("starting without it");
            String health = send(HttpRequest.newBuilder(base.resolve("/health"))).body();
            assertThat(health).contains("\"cluster\":\"redis: down\"").contains("\"ready\":true");
            p.terminate(Duration.ofSeconds(30));
        }
    }

    private void awaitHealth(Node node, String part) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String body;
        do {
            body = send(HttpRequest.newBuilder(node.uri("/health"))).body();
        } while (!body.contains(part) && System.nanoTime() < deadline && sleep(100));
        assertThat(body).contains(part);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            sleep(100);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
