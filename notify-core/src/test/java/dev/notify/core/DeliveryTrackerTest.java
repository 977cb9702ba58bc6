package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery tracker on its own: real workers, a recording store, a fake clock, claims only when
 * a test ticks (or a wake-up asks), no publisher, tailer or service around it.
 */
class DeliveryTrackerTest {

    private final MutableClock clock = new MutableClock();
    private final RecordingStore store = new RecordingStore(clock);
    private final ScheduledExecutorService timers = Shutdown.newTimers();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Map<String, BlockingQueue<String>> outcomes = new ConcurrentHashMap<>();
    // channels that hang wait here; released after each test
    private final Semaphore gate = new Semaphore(0);
    private DeliveryTracker tracker;
    private ChannelRegistry registry;

    /** One worker, exact retry delays, and the periodic claim only once an hour. */
    private ServiceConfig.Builder config() {
        return ServiceConfig.builder().clock(clock).workers(1).pollInterval(Duration.ofHours(1))
                .retryPolicy(RetryPolicy.DEFAULT.withJitter(0));
    }

    private void start(ServiceConfig config, Channel... channels) {
        MicrometerMetrics metrics = new MicrometerMetrics(meters);
        registry = new ChannelRegistry(config.config().node("channels"), config.workers(), meters, metrics);
        for (Channel c : channels) {
            registry.register(c, "test");
        }
        DeliveryListeners listeners = new DeliveryListeners(List.of(new DeliveryListener() {
            @Override
            public void onSent(DeliveryRecord d) {
                heard(d, "sent");
            }

            @Override
            public void onRetrying(DeliveryRecord d, String reason) {
                heard(d, "retrying: " + reason);
            }

            @Override
            public void onFailed(DeliveryRecord d, String reason) {
                heard(d, "failed: " + reason);
            }
        }));
        tracker = new DeliveryTracker(config, store, new PriorityDeliveryQueue<>(config.queueCapacity()), registry, listeners,
                new Cancellations(), timers, metrics);
        tracker.start();
    }

    private void heard(DeliveryRecord d, String what) {
        outcomes.computeIfAbsent(d.target(), t -> new LinkedBlockingQueue<>()).add(what);
    }

    /** The next outcome of the delivery to {@code target}; fails the test rather than hanging. */
    private String next(String target) throws InterruptedException {
        String o = outcomes.computeIfAbsent(target, t -> new LinkedBlockingQueue<>()).poll(20, TimeUnit.SECONDS);
        assertThat(o).as("an outcome for " + target).isNotNull();
        return o;
    }

    /** Stores a delivery due now and not claimed by anyone, as a publish scheduled for now leaves it. */
    private long save(String channel, String target) {
        Instant now = clock.instant();
        Notification n = Notification.builder().recipient(target).title(target).build().withCreatedAt(now);
        return store.save(new PublishRequest(n, "default", List.of(Audience.user(target)),
                List.of(new NewDelivery(channel, target, now)), Optional.empty())).deliveries().get(0).id();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(20, TimeUnit.SECONDS)).as("timed out waiting").isTrue();
    }

    @AfterEach
    void stopEverything() {
        gate.release(1_000);
        if (tracker != null) {
            tracker.beginClose();
            tracker.stop(new ArrayList<>());
            tracker.abort();
        }
        timers.shutdownNow();
        store.close();
    }

    @Nested
    @DisplayName("leases")
    class Leases {

        @Test
        void aDeliveryStillHeldInMemoryIsNotRunTwiceWhenItsLeaseLapsesAndItIsClaimedAgain() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            RecordingPushChannel push = new RecordingPushChannel("push");
            push.behaviour = d -> {
                if (d.target().equals("u1")) {
                    started.countDown();
                    gate.acquireUninterruptibly();
                }
                return DeliveryResult.sent();
            };
            start(config().build(), push);
            long id = save("push", "u1");
            tracker.tick();
            await(started);
            clock.advance(Duration.ofSeconds(61));
            tracker.tick();
            assertThat(store.claimed).as("claimed again once its lease lapsed").containsExactly(id, id);
            // queued behind a second run of u1, were there one: once it is sent, that run is over
            save("push", "marker");
            tracker.tick();
            gate.release();

            assertThat(next("u1")).isEqualTo("sent");
            assertThat(next("marker")).isEqualTo("sent");
            assertThat(push.deliveries).extracting(d -> d.target()).containsExactly("u1", "marker");
            assertThat(store.attempts(id)).hasSize(1);
        }

        @Test
        void whatIsQueuedWhenTheTrackerStopsIsHandedBackForAnotherNodeToClaim() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            RecordingPushChannel push = new RecordingPushChannel("push");
            push.behaviour = d -> {
                if (d.target().equals("slow")) {
                    started.countDown();
                    gate.acquireUninterruptibly();
                }
                return DeliveryResult.sent();
            };
            start(config().build(), push);
            long slow = save("push", "slow");
            tracker.tick();
            await(started);
            long waiting = save("push", "waiting");
            tracker.tick();
            tracker.beginClose();
            List<String> unfinished = new ArrayList<>();
            tracker.stop(unfinished);

            assertThat(unfinished).hasSize(2);
            assertThat(unfinished.get(0)).endsWith("to slow (in flight)");
            assertThat(unfinished.get(1)).endsWith("to waiting (queued)");
            assertThat(store.released).containsExactly(new RecordingStore.Released(waiting, clock.instant()));
            assertThat(store.claimDue(clock.instant(), 10, new Lease("other-node", clock.instant().plusSeconds(60))))
                    .extracting(DeliveryRecord::id).containsExactly(waiting).doesNotContain(slow);
        }

        @Test
        void theWatchdogFailsAHungAttemptAndFreesItsPlaceForTheNextDelivery() throws Exception {
            CountDownLatch started = new CountDownLatch(1);
            RecordingPushChannel push = new RecordingPushChannel("push");
            push.behaviour = d -> {
                if (d.target().equals("hung")) {
                    started.countDown();
                    gate.acquireUninterruptibly();
                }
                return DeliveryResult.sent();
            };
            // one worker, one place for the channel: only a freed place and a new worker let "next" through
            start(config().deliveryTimeout(Duration.ofMillis(200)).build(), push);
            long hung = save("push", "hung");
            tracker.tick();
            await(started);
            save("push", "next");
            tracker.tick();

            assertThat(next("hung")).isEqualTo("retrying: attempt timed out after PT0.2S");
            assertThat(next("next")).isEqualTo("sent");
            DeliveryRecord d = store.delivery(hung).orElseThrow();
            assertThat(d.status()).isEqualTo(DeliveryStatus.RETRYING);
            assertThat(d.nextAttemptAt()).contains(clock.instant().plusSeconds(1));
        }
    }

    @Nested
    @DisplayName("retries and dead letters")
    class Retries {

        @Test
        void aRetryIsClaimedWhenItIsDueAndTheLastFailedAttemptMakesADeadLetter() throws Exception {
            RecordingPushChannel push = new RecordingPushChannel("push");
            push.behaviour = d -> DeliveryResult.retryLater("503");
            start(config().retryPolicy(RetryPolicy.DEFAULT.withJitter(0).withMaxAttempts(3)).build(), push);
            long id = save("push", "u1");
            tracker.tick();
            assertThat(next("u1")).isEqualTo("retrying: 503");
            clock.advance(Duration.ofMillis(999));
            tracker.tick();
            assertThat(push.deliveries).as("not due before its backoff").hasSize(1);
            clock.advance(Duration.ofMillis(1));
            tracker.tick();
            assertThat(next("u1")).isEqualTo("retrying: 503");
            clock.advance(Duration.ofSeconds(2));
            tracker.tick();
            assertThat(next("u1")).isEqualTo("failed: 503");

            assertThat(push.deliveries).extracting(dl -> dl.attempt()).containsExactly(1, 2, 3);
            assertThat(store.deadLetters(Optional.empty(), 10).items()).extracting(DeliveryRecord::id).containsExactly(id);
        }

        @Test
        void aReplayedDeadLetterIsClaimedAtOnceAndAttemptedAfresh() throws Exception {
            RecordingPushChannel push = new RecordingPushChannel("push");
            push.behaviour = d -> DeliveryResult.retryLater("503");
            start(config().retryPolicy(RetryPolicy.DEFAULT.withMaxAttempts(1)).build(), push);
            long id = save("push", "u1");
            tracker.tick();
            assertThat(next("u1")).isEqualTo("failed: 503");
            push.behaviour = d -> DeliveryResult.sent();

            assertThat(tracker.replay(id)).map(DeliveryRecord::status).contains(DeliveryStatus.PENDING);
            // no tick from the test: the replay itself asks for the claim
            assertThat(next("u1")).isEqualTo("sent");
            assertThat(push.deliveries).extracting(dl -> dl.attempt()).containsExactly(1, 1);
            assertThat(tracker.replay(id)).as("sent, no longer a dead letter").isEmpty();
        }
    }

    @Nested
    @DisplayName("a channel that throws an Error")
    class ChannelErrors {

        @Test
        void aStackOverflowInTheChannelFailsOnlyThatAttemptAndTheWorkerCarriesOn() throws Exception {
            workerSurvives(() -> recurse(0), "channel plugin threw java.lang.StackOverflowError");
        }

        @Test
        void anOutOfMemoryErrorInTheChannelFailsOnlyThatAttemptAndTheWorkerCarriesOn() throws Exception {
            workerSurvives(() -> {
                throw new OutOfMemoryError("test");
            }, "channel plugin threw java.lang.OutOfMemoryError: test");
        }

        private void workerSurvives(Runnable fault, String reason) throws Exception {
            RecordingPushChannel plugin = new RecordingPushChannel("plugin");
            plugin.behaviour = d -> {
                if (d.target().equals("bad")) {
                    fault.run();
                }
                return DeliveryResult.sent();
            };
            start(config().retryPolicy(RetryPolicy.DEFAULT.withJitter(0).withMaxAttempts(2)).build(), plugin);
            long bad = save("plugin", "bad");
            save("plugin", "good-1");
            save("plugin", "good-2");
            tracker.tick();

            assertThat(next("bad")).isEqualTo("retrying: " + reason);
            assertThat(next("good-1")).isEqualTo("sent");
            assertThat(next("good-2")).isEqualTo("sent");
            assertThat(tracker.workerCount()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            tracker.tick();
            assertThat(next("bad")).isEqualTo("failed: " + reason);
            save("plugin", "good-3");
            tracker.tick();
            assertThat(next("good-3")).isEqualTo("sent");
            assertThat(tracker.workerCount()).isEqualTo(1);
            assertThat(store.attempts(bad)).extracting(a -> a.number() + " " + a.error().orElse(""))
                    .containsExactly("1 " + reason, "2 " + reason);
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
