package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry schedule and dead letters, on a recording store and a fake clock, without workers or timers. */
class DeliveryOutcomesTest {

    private final MutableClock clock = new MutableClock();
    private final RecordingStore store = new RecordingStore(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ChannelSlot slot = new ChannelSlot(new RecordingPushChannel("push"), 1, 1, meters);
    private final ConcurrentLongSet inMemory = new ConcurrentLongSet();
    private final List<Instant> wakeUps = new CopyOnWriteArrayList<>();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final DeliveryListeners listeners = new DeliveryListeners(List.of(new DeliveryListener() {
        @Override
        public void onSent(DeliveryRecord d) {
            heard.add("sent " + d.id());
        }

        @Override
        public void onRetrying(DeliveryRecord d, String reason) {
            heard.add("retrying " + d.id() + ": " + reason);
        }

        @Override
        public void onFailed(DeliveryRecord d, String reason) {
            heard.add("failed " + d.id() + ": " + reason);
        }
    }));

    @AfterEach
    void closeStore() {
        store.close();
    }

    private DeliveryOutcomes outcomes(RetryPolicy policy) {
        return new DeliveryOutcomes(store, clock, policy, listeners, new MicrometerMetrics(meters), inMemory, wakeUps::add);
    }

    /** A stored delivery, claimed by this node and held in memory, at its {@code attempt}th attempt. */
    private DeliveryJob claimed(int attempt) {
        Instant now = clock.instant();
        Notification n = Notification.builder().recipient("u1").title("t").build().withCreatedAt(now);
        long id = store.save(new PublishRequest(n, "default", List.of(Audience.user("u1")),
                List.of(new NewDelivery("push", "u1", now)), Optional.of(new Lease("node", now.plusSeconds(60))))).deliveries().get(0).id();
        inMemory.add(id);
        DeliveryJob job = new DeliveryJob(n, slot, "u1", id, attempt, now, now.plusSeconds(60));
        job.startedAt = now;
        return job;
    }

    private RetryPolicy exact() {
        return RetryPolicy.DEFAULT.withJitter(0);
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheBackoffWithinTheJitterBounds() {
        DeliveryOutcomes o = outcomes(RetryPolicy.DEFAULT);
        for (int attempt = 1; attempt <= 4; attempt++) {
            long base = 1000L << (attempt - 1);
            Set<Long> delays = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                o.complete(claimed(attempt), DeliveryResult.retryLater("503"), Duration.ofMillis(5));
                RecordingStore.Recorded r = store.recorded.get(store.recorded.size() - 1);
                assertThat(r.status()).isEqualTo(DeliveryStatus.RETRYING);
                long delay = Duration.between(clock.instant(), r.nextAttemptAt().orElseThrow()).toMillis();
                assertThat(delay).as("delay after attempt %d", attempt).isBetween(Math.round(base * 0.8), Math.round(base * 1.2));
                delays.add(delay);
            }
            assertThat(delays).as("jitter spreads the retries of attempt %d", attempt).hasSizeGreaterThan(1);
        }
    }

    @Test
    void aRetryAfterFromTheChannelWinsWhenItIsLongerThanTheBackoff() {
        DeliveryOutcomes o = outcomes(exact());
        o.complete(claimed(1), DeliveryResult.retryAfter("429", Duration.ofSeconds(30)), Duration.ZERO);
        o.complete(claimed(1), DeliveryResult.retryAfter("429", Duration.ofMillis(100)), Duration.ZERO);

        assertThat(store.recorded).extracting(RecordingStore.Recorded::nextAttemptAt)
                .containsExactly(Optional.of(clock.instant().plusSeconds(30)), Optional.of(clock.instant().plusSeconds(1)));
    }

    @Test
    void aRetryAsksForAClaimWhenItIsDue() {
        outcomes(exact()).complete(claimed(2), DeliveryResult.retryLater("503"), Duration.ZERO);

        assertThat(wakeUps).containsExactly(clock.instant().plusSeconds(2));
    }

    @Test
    void everyAttemptIsCountedAndTheLastOneMakesADeadLetter() {
        DeliveryOutcomes o = outcomes(exact().withMaxAttempts(3));
        DeliveryJob first = claimed(1);
        long id = first.deliveryId;
        o.complete(first, DeliveryResult.retryLater("503"), Duration.ZERO);
        for (int attempt = 2; attempt <= 3; attempt++) {
            DeliveryJob next = new DeliveryJob(first.notification, slot, "u1", id, attempt, clock.instant(), clock.instant().plusSeconds(60));
            next.startedAt = clock.instant();
            o.complete(next, DeliveryResult.retryLater("503"), Duration.ZERO);
        }

        assertThat(store.recorded).extracting(r -> r.attempt().number() + " " + r.status())
                .containsExactly("1 RETRYING", "2 RETRYING", "3 FAILED");
        assertThat(store.attempts(id)).extracting(a -> a.error().orElse("")).containsOnly("503");
        DeliveryRecord dead = store.delivery(id).orElseThrow();
        assertThat(dead.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(store.deadLetters(Optional.empty(), 10).items()).extracting(DeliveryRecord::id).containsExactly(id);
        assertThat(heard).containsExactly("retrying " + id + ": 503", "retrying " + id + ": 503", "failed " + id + ": 503");
        assertThat(meters.counter("notify.deliveries.retrying", "channel", "push").count()).isEqualTo(2);
        assertThat(meters.counter("notify.deliveries.failed", "channel", "push").count()).isEqualTo(1);
        assertThat(o.completed()).isEqualTo(3);
    }

    @Test
    void aChannelThatFailsForGoodMakesADeadLetterAtTheFirstAttempt() {
        DeliveryJob job = claimed(1);
        outcomes(exact()).complete(job, DeliveryResult.failed("410 gone"), Duration.ZERO);

        assertThat(store.recorded).extracting(RecordingStore.Recorded::status).containsExactly(DeliveryStatus.FAILED);
        assertThat(store.recorded.get(0).nextAttemptAt()).isEmpty();
        assertThat(wakeUps).isEmpty();
        assertThat(heard).containsExactly("failed " + job.deliveryId + ": 410 gone");
    }

    @Test
    void aSentDeliveryIsStoredCountedAndHeard() {
        DeliveryJob job = claimed(1);
        outcomes(exact()).complete(job, DeliveryResult.sent(), Duration.ofMillis(3));

        assertThat(store.delivery(job.deliveryId).orElseThrow().status()).isEqualTo(DeliveryStatus.SENT);
        assertThat(heard).containsExactly("sent " + job.deliveryId);
        assertThat(meters.counter("notify.deliveries.sent", "channel", "push").count()).isEqualTo(1);
    }

    @Test
    void theDeliveryLeavesMemoryBeforeItsOutcomeIsStoredSoAClaimOfTheRetryIsNotSkipped() {
        DeliveryJob job = claimed(1);
        AtomicBoolean heldWhileRecording = new AtomicBoolean(true);
        store.beforeRecord = a -> heldWhileRecording.set(inMemory.contains(a.deliveryId()));
        outcomes(exact()).complete(job, DeliveryResult.retryLater("503"), Duration.ZERO);

        assertThat(heldWhileRecording).isFalse();
    }

    @Test
    void aDeferredDeliveryIsHandedBackWithoutCountingAnAttempt() {
        DeliveryJob job = claimed(1);
        DeliveryOutcomes o = outcomes(exact());
        o.complete(job, DeliveryResult.deferred("endpoint paused", Duration.ofSeconds(5)), Duration.ZERO);

        Instant due = clock.instant().plusSeconds(5);
        assertThat(store.recorded).isEmpty();
        assertThat(store.released).containsExactly(new RecordingStore.Released(job.deliveryId, due));
        assertThat(store.attempts(job.deliveryId)).isEmpty();
        assertThat(store.delivery(job.deliveryId).orElseThrow().attempts()).isZero();
        assertThat(inMemory.contains(job.deliveryId)).isFalse();
        assertThat(wakeUps).containsExactly(due);
        assertThat(o.completed()).isZero();
        clock.advance(Duration.ofSeconds(5));
        assertThat(store.claimDue(clock.instant(), 10, new Lease("other", clock.instant().plusSeconds(60))))
                .extracting(DeliveryRecord::id).containsExactly(job.deliveryId);
    }
}
