package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attempts in flight on their own, with a monotonic time the test moves (no real deadline
 * passes): an async channel's stage, the deadline check, and the once-only outcome.
 */
class InFlightAttemptsTest {

    private final MutableClock clock = new MutableClock();
    private final RecordingStore store = new RecordingStore(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    private final RecordingAsyncChannel channel = new RecordingAsyncChannel("async");
    private final ChannelSlot slot = new ChannelSlot(channel, 10, 0, meters);
    private final ServiceConfig config = ServiceConfig.builder().clock(clock).workers(1).deliveryTimeout(Duration.ofSeconds(30))
            .retryPolicy(RetryPolicy.DEFAULT.withJitter(0)).build();
    private final List<DeliveryJob> handedBack = new ArrayList<>();
    private final InFlightAttempts attempts;

    InFlightAttemptsTest() {
        DeliveryListeners listeners = new DeliveryListeners(List.of(new DeliveryListener() {
            @Override
            public void onSent(DeliveryRecord d) {
                heard.add("sent");
            }

            @Override
            public void onRetrying(DeliveryRecord d, String reason) {
                heard.add("retrying: " + reason);
            }
        }));
        DeliveryOutcomes outcomes = new DeliveryOutcomes(store, clock, config.retryPolicy(), listeners, new MicrometerMetrics(meters),
                new ConcurrentLongSet(), at -> { });
        attempts = new InFlightAttempts(config, outcomes, handedBack::add, j -> { }, () -> { }, nanos::get);
    }

    @AfterEach
    void stop() {
        attempts.close(1);
        store.close();
    }

    /** A stored delivery leased to this node for 60 s, with its permit and place taken, as a worker holds it. */
    private DeliveryJob claimed() throws InterruptedException {
        Instant now = clock.instant();
        Notification n = Notification.builder().recipient("u1").title("t").build().withCreatedAt(now);
        long id = store.save(new PublishRequest(n, "default", List.of(Audience.user("u1")),
                List.of(new NewDelivery("async", "u1", now)), Optional.of(new Lease("node", now.plusSeconds(60))))).deliveries().get(0).id();
        assertThat(attempts.acquire()).isTrue();
        assertThat(slot.acquireOrPark(null)).isTrue();
        return new DeliveryJob(n, slot, "u1", id, 1, now, now.plusSeconds(60));
    }

    private String next() throws InterruptedException {
        String o = heard.poll(20, TimeUnit.SECONDS);
        assertThat(o).as("an outcome").isNotNull();
        return o;
    }

    @Test
    void anAttemptWithinItsDeadlineIsLeftAloneAndRecordedWhenItsStageCompletes() throws Exception {
        DeliveryJob job = claimed();
        attempts.start(job, clock.instant(), () -> { });
        RecordingAsyncChannel.Started started = channel.next();

        nanos.addAndGet(Duration.ofSeconds(30).toNanos() - 1);
        attempts.checkDeadlines();
        assertThat(started.result()).as("not cancelled a nanosecond before its deadline").isNotCancelled();
        started.result().complete(DeliveryResult.sent());

        assertThat(next()).isEqualTo("sent");
        assertThat(store.attempts(job.deliveryId)).hasSize(1);
    }

    @Test
    void anAttemptPastItsDeadlineTimesOutOnceHoweverOftenItIsCheckedAndALateAnswerIsIgnored() throws Exception {
        DeliveryJob job = claimed();
        attempts.start(job, clock.instant(), () -> { });
        RecordingAsyncChannel.Started started = channel.next();
        assertThat(slot.inFlight()).isEqualTo(1);

        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        attempts.checkDeadlines();
        attempts.checkDeadlines();
        assertThat(next()).isEqualTo("retrying: attempt timed out after PT30S");
        assertThat(started.result()).isCancelled();
        started.result().complete(DeliveryResult.sent()); // too late, and refused by the cancelled future anyway

        attempts.checkDeadlines();
        // one recorder thread records in order: once a later attempt's outcome is heard, a stray second one would have been too
        DeliveryJob later = claimed();
        attempts.start(later, clock.instant(), () -> { });
        channel.next().result().complete(DeliveryResult.sent());
        assertThat(next()).isEqualTo("sent");
        assertThat(heard).as("no second outcome of the timed-out attempt").isEmpty();
        assertThat(store.recorded).extracting(r -> r.attempt().deliveryId()).containsExactly(job.deliveryId, later.deliveryId);
        assertThat(store.recorded.get(0).attempt().duration()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aJobWhoseLeaseIsNearlySpentIsHandedBackNotStarted() throws Exception {
        DeliveryJob job = claimed();
        // 60 s lease less its 5 s margin leaves 15 s at +40 s: less than the 27.5 s an attempt is started with at least
        clock.advance(Duration.ofSeconds(40));
        attempts.start(job, clock.instant(), () -> { });

        assertThat(handedBack).containsExactly(job);
        assertThat(channel.started).isEmpty();
        assertThat(slot.inFlight()).as("its place is free again").isZero();
    }
}
