package dev.notify.cluster.redis;

import dev.notify.api.Audience;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignal;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.Config;
import dev.notify.cluster.redis.internal.RedisSignals;
import dev.notify.testkit.RecordingClusterContext;
import dev.notify.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine against a real redis-server with a password: several "nodes" in one JVM, each with its own engine. */
class RedisSignalsTest {

    private static RedisServer redis;
    private final List<ClusterSignals> engines = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(Path.of("target", "redis"));
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void close() {
        engines.forEach(ClusterSignals::close);
    }

    @Test
    void aUsersEventReachesOnlyTheNodesServingThatUserAndDueDeliveriesReachEveryNode() throws Exception {
        Node a = node("a", redis.url());
        Node b = node("b", redis.url());
        Node c = node("c", redis.url());
        b.interestIn(Audience.user("u1"));

        ClusterMessage m = new ClusterMessage("a", Instant.now(), List.of(
                new ClusterSignal.LogAppended(42, List.of(Audience.user("u1"), Audience.user("u2"))), new ClusterSignal.DeliveryDue()));
        a.engine.send(m);

        List<ClusterSignal> atB = b.signals(2);
        assertThat(atB).containsExactlyInAnyOrder(new ClusterSignal.LogAppended(42, List.of(Audience.user("u1"))), new ClusterSignal.DeliveryDue());
        assertThat(c.signals(1)).containsExactly(new ClusterSignal.DeliveryDue());
        assertThat(c.messages.poll(300, TimeUnit.MILLISECONDS)).as("nothing of u1 or u2 at c, which serves neither").isNull();
        assertThat(a.engine.connected()).isTrue();
        assertThat(a.engine.describe()).startsWith("redis ");
    }

    @Test
    void withPayloadsAUsersLiveEntryTravelsWholeOnThatUsersChannelOnly() throws Exception {
        Node a = node("a", redis.url(), true);
        Node b = node("b", redis.url(), true);
        Node c = node("c", redis.url(), true);
        b.interestIn(Audience.user("u1"));
        c.interestIn(Audience.user("u2"));
        ClusterSignal.LiveEntry entry = new ClusterSignal.LiveEntry(43, 40, Audience.user("u1"), "{\"title\":\"hello; world\"}");

        a.engine.send(new ClusterMessage("a", Instant.now(), List.of(entry)));

        assertThat(a.engine.carriesEntries()).isTrue();
        assertThat(b.signals(1)).containsExactly(entry);
        assertThat(c.messages.poll(300, TimeUnit.MILLISECONDS)).as("nothing of u1 at c").isNull();
        assertThat(node("d", redis.url()).engine.carriesEntries()).as("off unless asked for").isFalse();
    }

    @Test
    void topicPatternsAreHeldWithPsubscribeAndALastCloseUnsubscribes() throws Exception {
        Node a = node("a", redis.url());
        Node b = node("b", redis.url());
        b.interestIn(Audience.topic("task:*"));
        b.interestIn(Audience.user("u1"));

        a.engine.send(new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.LogAppended(7, List.of(Audience.topic("task:abc"))))));
        assertThat(b.signals(1)).containsExactly(new ClusterSignal.LogAppended(7, List.of(Audience.topic("task:abc"))));

        b.engine.noInterest(Audience.user("u1"));
        b.engine.noInterest(Audience.topic("task:*"));
        b.engine.interest(Audience.user("u3"));
        b.awaitWake(); // u3's subscription is in place, so the drops before it are too
        a.engine.send(new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.LogAppended(8,
                List.of(Audience.user("u1"), Audience.topic("task:abc"), Audience.user("u3"))))));
        assertThat(b.signals(1)).as("only u3 is still served at b").containsExactly(new ClusterSignal.LogAppended(8, List.of(Audience.user("u3"))));
        assertThat(b.messages.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aNodeResubscribesAfterRedisIsKilledAndRestartedAndAsksTheHostToCatchUp() throws Exception {
        try (RedisServer own = RedisServer.start(Path.of("target", "redis"))) {
            Node a = node("a", own.url());
            Node b = node("b", own.url());
            b.interestIn(Audience.user("u1"));

            own.kill();
            awaitTrue(() -> !b.engine.connected(), "b notices that Redis is gone");
            a.engine.send(new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.DeliveryDue()))); // lost, without throwing
            own.startAgain();

            assertThat(b.resyncs.poll(20, TimeUnit.SECONDS)).as("resync after reconnecting").isNotNull();
            assertThat(b.engine.connected()).isTrue();
            awaitTrue(() -> a.engine.connected(), "a reconnects too");
            ClusterMessage after = new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.InboxChanged("u1")));
            a.engine.send(after);
            assertThat(b.signals(1)).as("the user channel is subscribed again").containsExactly(new ClusterSignal.InboxChanged("u1"));
        }
    }

    @Test
    void aWrongPasswordFailsTheStartWithAMessageSayingSo() {
        assertThatThrownBy(() -> node("a", redis.urlWithWrongPassword()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the credentials").hasMessageContaining("--redis-url")
                .hasMessageNotContaining(redis.password());
    }

    @Test
    void anUnreachableRedisIsADegradedStartThatConnectsWhenRedisComesUp() throws Exception {
        try (RedisServer own = RedisServer.start(Path.of("target", "redis"))) {
            own.kill();
            Node a = node("a", own.url());
            Node b = node("b", own.url());
            assertThat(b.engine.connected()).isFalse();
            b.engine.interest(Audience.user("u1")); // wished while Redis is away

            own.startAgain();
            assertThat(b.resyncs.poll(20, TimeUnit.SECONDS)).as("resync once connected").isNotNull();
            awaitTrue(() -> a.engine.connected(), "a connects too");
            a.engine.send(new ClusterMessage("a", Instant.now(), List.of(new ClusterSignal.InboxChanged("u1"))));
            assertThat(b.signals(1)).containsExactly(new ClusterSignal.InboxChanged("u1"));
        }
    }

    @Test
    void aConfigurationWithoutAUrlOrWithABadOneIsRefusedWithTheFlagToSet() {
        assertThatThrownBy(() -> new RedisSignalsProvider().create(new Node("a", Config.empty())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--redis-url");
        assertThatThrownBy(() -> new RedisSignalsProvider().create(new Node("a", Config.of(Map.of("url", "http://x:1")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis://");
        assertThatThrownBy(() -> new RedisSignalsProvider().create(new Node("a", Config.of(Map.of("url", redis.url(), "prefix", "a*")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster.redis.prefix");
    }

    private Node node(String id, String url) {
        return node(id, url, false);
    }

    private Node node(String id, String url, boolean payloads) {
        Map<String, String> config = new HashMap<>();
        config.put("url", url);
        config.put("payloads", Boolean.toString(payloads));
        config.put("max-backoff", "500ms");
        Node n = new Node(id, Config.of(config));
        n.engine = new RedisSignalsProvider().create(n);
        engines.add(n.engine);
        return n;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A host of one engine that records what it is handed; the engine's own wake-ups are kept apart. */
    private static final class Node extends RecordingClusterContext {
        final BlockingQueue<ClusterMessage> wakes = new LinkedBlockingQueue<>();
        ClusterSignals engine;

        Node(String id, Config config) {
            super(id, config);
        }

        @Override
        public void received(ClusterMessage message) {
            if (message.origin().equals(RedisSignals.SELF_WAKE)) {
                wakes.add(message);
            } else {
                super.received(message);
            }
        }

        /** Registers interest and waits until the subscription is in place (the engine says so with a wake-up). */
        void interestIn(Audience a) throws InterruptedException {
            engine.interest(a);
            awaitWake();
        }

        void awaitWake() throws InterruptedException {
            assertThat(wakes.poll(10, TimeUnit.SECONDS)).as("a wake-up once subscribed").isNotNull();
        }

        List<ClusterSignal> signals(int n) throws InterruptedException {
            List<ClusterSignal> out = new ArrayList<>();
            while (out.size() < n) {
                out.addAll(next().signals());
            }
            return out;
        }
    }
}
