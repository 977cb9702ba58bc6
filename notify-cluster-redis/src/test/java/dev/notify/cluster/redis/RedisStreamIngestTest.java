package dev.notify.cluster.redis;

import dev.notify.cluster.redis.RedisStreamIngest.Entry;
import dev.notify.cluster.redis.RedisStreamIngest.Outcome;
import dev.notify.testkit.RedisServer;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The consumer group against a real redis-server; the sink is a list, as the store is not the point here. */
class RedisStreamIngestTest {

    private static RedisServer redis;
    private static RedisClient raw;
    private static StatefulRedisConnection<String, String> conn;
    private final List<RedisStreamIngest> ingests = new ArrayList<>();
    private final AtomicInteger streams = new AtomicInteger();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(Path.of("target", "redis"));
        raw = RedisClient.create(redis.url());
        conn = raw.connect();
    }

    @AfterAll
    static void stopRedis() {
        conn.close();
        raw.shutdown();
        redis.close();
    }

    @AfterEach
    void close() {
        ingests.forEach(RedisStreamIngest::close);
    }

    @Test
    void entriesAreStoredInBatchesAndAcknowledgedOnlyAfterwards() throws Exception {
        String stream = stream();
        RedisCommands<String, String> r = conn.sync();
        for (int i = 0; i < 1200; i++) {
            r.xadd(stream, Map.of("notification", "{\"n\":" + i + "}"));
        }
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        List<Entry> got = new CopyOnWriteArrayList<>();
        start(stream, "node-a", batch -> {
            assertThat(r.xpending(stream, "notify").getCount()).as("read, not yet acknowledged").isGreaterThanOrEqualTo(batch.size());
            batchSizes.add(batch.size());
            got.addAll(batch);
            return stored(batch);
        });
        awaitTrue(() -> got.size() == 1200, "all 1200 stored");
        awaitTrue(() -> r.xpending(stream, "notify").getCount() == 0, "all acknowledged");
        // two consumers by default: the second one's batch may reach the sink first
        assertThat(got).extracting(Entry::id).doesNotHaveDuplicates();
        assertThat(got).extracting(e -> e.fields().get("notification")).contains("{\"n\":0}", "{\"n\":1199}");
        assertThat(batchSizes).as("read in batches of up to 500").allMatch(n -> n <= 500).hasSizeLessThan(1200);
    }

    @Test
    void anInvalidEntryGoesToTheDeadLetterStreamWithItsReasonAndIsNotRetried() throws Exception {
        String stream = stream();
        RedisCommands<String, String> r = conn.sync();
        r.xadd(stream, Map.of("notification", "{\"ok\":1}"));
        String poison = r.xadd(stream, Map.of("notification", "{not json", "trace", "t-1"));
        r.xadd(stream, Map.of("notification", "{\"ok\":2}"));
        AtomicInteger seen = new AtomicInteger();
        List<String> storedIds = new CopyOnWriteArrayList<>();
        RedisStreamIngest ingest = start(stream, "node-a", batch -> {
            List<Outcome> out = new ArrayList<>();
            for (Entry e : batch) {
                seen.incrementAndGet();
                if (e.fields().get("notification").startsWith("{not")) {
                    out.add(new Outcome.Invalid("the notification field is not JSON"));
                } else {
                    storedIds.add(e.id());
                    out.add(new Outcome.Stored());
                }
            }
            return out;
        });
        awaitTrue(() -> r.xlen(stream + ":dead") == 1, "one dead letter");
        StreamMessage<String, String> dead = r.xrange(stream + ":dead", io.lettuce.core.Range.create("-", "+")).get(0);
        assertThat(dead.getBody()).containsEntry("notification", "{not json").containsEntry("trace", "t-1")
                .containsEntry("_reason", "the notification field is not JSON").containsEntry("_source_id", poison)
                .containsEntry("_source_stream", stream);
        awaitTrue(() -> r.xpending(stream, "notify").getCount() == 0, "all acknowledged");
        Thread.sleep(300);
        assertThat(seen.get()).as("each entry seen once, the poison too").isEqualTo(3);
        assertThat(storedIds).hasSize(2);
        assertThat(ingest.deadLettered()).isEqualTo(1);
        assertThat(ingest.stored()).isEqualTo(2);
    }

    @Test
    void entriesLeftPendingByADeadConsumerAreClaimedByAnother() throws Exception {
        String stream = stream();
        RedisCommands<String, String> r = conn.sync();
        r.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "notify", io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        for (int i = 0; i < 20; i++) {
            r.xadd(stream, Map.of("notification", "{\"n\":" + i + "}"));
        }
        // a node reads ten entries and dies before storing them
        List<StreamMessage<String, String>> taken = r.xreadgroup(Consumer.from("notify", "node-dead"), XReadArgs.Builder.count(10),
                XReadArgs.StreamOffset.lastConsumed(stream));
        assertThat(taken).hasSize(10);

        Map<String, Integer> got = new ConcurrentHashMap<>();
        start(stream, "node-b", batch -> {
            batch.forEach(e -> got.merge(e.id(), 1, Integer::sum));
            return stored(batch);
        }, s -> s.withClaimIdle(Duration.ofMillis(500)));

        awaitTrue(() -> got.size() == 20, "node-b stores the ten new entries and claims the dead node's ten");
        assertThat(got.values()).as("each once").containsOnly(1);
        awaitTrue(() -> r.xpending(stream, "notify").getCount() == 0, "nothing pending");
    }

    @Test
    void anEntryHandedOutTooOftenIsDeadLetteredAsPoisonWhenClaimed() throws Exception {
        String stream = stream();
        RedisCommands<String, String> r = conn.sync();
        r.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "notify", io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        String id = r.xadd(stream, Map.of("notification", "{\"kills\":\"its consumer\"}"));
        // five consumers in turn read it and die (reading one's pending entries again counts as a delivery)
        for (int i = 0; i < 6; i++) {
            r.xreadgroup(Consumer.from("notify", "node-dead"), XReadArgs.StreamOffset.from(stream, i == 0 ? ">" : "0"));
        }
        List<String> seen = new CopyOnWriteArrayList<>();
        RedisStreamIngest ingest = start(stream, "node-b", batch -> {
            batch.forEach(e -> seen.add(e.id()));
            return stored(batch);
        }, s -> s.withClaimIdle(Duration.ofMillis(300)));

        awaitTrue(() -> r.xlen(stream + ":dead") == 1, "dead-lettered as poison");
        assertThat(r.xrange(stream + ":dead", io.lettuce.core.Range.create("-", "+")).get(0).getBody().get("_reason")).contains("handed out");
        assertThat(seen).as("never handed to the sink").doesNotContain(id);
        assertThat(ingest.deadLettered()).isEqualTo(1);
    }

    @Test
    void aSinkThatCannotStoreIsRetriedFromMemoryAndNothingIsLostOrAcknowledgedEarly() throws Exception {
        String stream = stream();
        RedisCommands<String, String> r = conn.sync();
        for (int i = 0; i < 50; i++) {
            r.xadd(stream, Map.of("notification", "{\"n\":" + i + "}"));
        }
        AtomicInteger failures = new AtomicInteger(3);
        Map<String, Integer> got = new ConcurrentHashMap<>();
        start(stream, "node-a", batch -> {
            if (failures.getAndDecrement() > 0) {
                assertThat(r.xpending(stream, "notify").getCount()).isEqualTo(50);
                throw new IllegalStateException("database unavailable");
            }
            batch.forEach(e -> got.merge(e.id(), 1, Integer::sum));
            return stored(batch);
        });
        awaitTrue(() -> got.size() == 50, "stored once the database is back");
        assertThat(got.values()).containsOnly(1);
        awaitTrue(() -> r.xpending(stream, "notify").getCount() == 0, "acknowledged after storing");
        assertThat(r.xpending(stream, "notify").getCount()).isZero();
    }

    @Test
    void aConsumerThatIsUnreachableAtStartConsumesOnceRedisAnswers() throws Exception {
        try (RedisServer own = RedisServer.start(Path.of("target", "redis"))) {
            own.kill();
            List<Entry> got = new CopyOnWriteArrayList<>();
            RedisStreamIngest ingest = RedisStreamIngest.start(RedisStreamIngest.Settings.of(own.url(), "late", "node-a")
                    .withMaxBackoff(Duration.ofMillis(300)), batch -> {
                        got.addAll(batch);
                        return stored(batch);
                    });
            ingests.add(ingest);
            assertThat(ingest.connected()).isFalse();
            own.startAgain();
            RedisClient c = RedisClient.create(own.url());
            try (StatefulRedisConnection<String, String> sc = c.connect()) {
                sc.sync().xadd("late", Map.of("notification", "{}"));
                awaitTrue(() -> got.size() == 1, "consumed once Redis is up");
            } finally {
                c.shutdown();
            }
            assertThat(ingest.connected()).isTrue();
        }
    }

    private String stream() {
        return "ingest-test-" + streams.incrementAndGet() + "-" + System.nanoTime();
    }

    private RedisStreamIngest start(String stream, String consumer, RedisStreamIngest.Sink sink) {
        return start(stream, consumer, sink, s -> s);
    }

    private RedisStreamIngest start(String stream, String consumer, RedisStreamIngest.Sink sink,
                                    java.util.function.UnaryOperator<RedisStreamIngest.Settings> tune) {
        RedisStreamIngest i = RedisStreamIngest.start(tune.apply(RedisStreamIngest.Settings.of(redis.url(), stream, consumer)
                .withMaxBackoff(Duration.ofMillis(200))), sink);
        ingests.add(i);
        return i;
    }

    private static List<Outcome> stored(List<Entry> batch) {
        List<Outcome> out = new ArrayList<>();
        batch.forEach(e -> out.add(new Outcome.Stored()));
        return out;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
