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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final AtomicInteger replacements = new AtomicInteger();
    private final InFlightAttempts attempts;
    // the test thread plays the worker that starts the attempts
    private final InFlightAttempts.Seat worker;

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
        attempts = new InFlightAttempts(config, outcomes, handedBack::add, j -> { }, replacements::incrementAndGet, nanos::get);
        worker = attempts.seat();
    }

    @AfterEach
    void stop() {
        attempts.close(1);
        store.close();
    }

    /** A stored delivery leased to this node for 60 s, with its permit and place taken, as a worker holds it. */
    private DeliveryJob claimed() throws InterruptedException {
        return claimed(slot);
    }

    private DeliveryJob claimed(ChannelSlot slot) throws InterruptedException {
        Instant now = clock.instant();
        Notification n = Notification.builder().recipient("u1").title("t").build().withCreatedAt(now);
        long id = store.save(new PublishRequest(n, "default", List.of(Audience.user("u1")),
                List.of(new NewDelivery("async", "u1", now)), Optional.of(new Lease("node", now.plusSeconds(60))))).deliveries().get(0).id();
        assertThat(attempts.acquire()).isTrue();
        assertThat(slot.acquireOrPark(null)).isTrue();
        return new DeliveryJob(n, slot, "u1", id, 1, now, now.plusSeconds(60));
    }

    @Test
    void anInlineAttemptOnAWorkersSeatIsCountedLentTimedOutAndLeavesTheSeatForTheNextOne() throws Exception {
        RecordingPushChannel blocking = new RecordingPushChannel("async"); // the stored deliveries' channel name
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        blocking.behaviour = d -> {
            if (d.notification().title().equals("t") && inside.getCount() > 0) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the deadline's interrupt: answer anyway, too late
                }
            }
            return DeliveryResult.sent();
        };
        ChannelSlot quick = new ChannelSlot(blocking, 10, 0, meters);
        assertThat(quick.inline()).as("a blocking channel starts inline").isTrue();
        InFlightAttempts.Seat seat = attempts.seat();
        DeliveryJob held = claimed(quick);
        // the "worker": its start returns once the channel answers, with whether it was lent meanwhile
        CompletableFuture<Boolean> lent = CompletableFuture.supplyAsync(() -> attempts.start(held, clock.instant(), () -> { }, seat));
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(seat.get()).as("on the seat, not in the set").isNotNull();
        assertThat(attempts.size()).isEqualTo(1);
        List<String> unfinished = new ArrayList<>();
        attempts.describe(unfinished);
        assertThat(unfinished).singleElement().asString().endsWith("(in flight)");

        nanos.addAndGet(InFlightAttempts.LEND_AFTER_NANOS);
        attempts.checkDeadlines();
        assertThat(replacements).as("the held worker is lent, a replacement started").hasValue(1);
        attempts.checkDeadlines();
        assertThat(replacements).as("once").hasValue(1);

        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        attempts.checkDeadlines();
        assertThat(next()).isEqualTo("retrying: attempt timed out after PT30S");
        // recorded on a recorder thread, which empties the seat just after the listeners hear the outcome
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seat.get() != null && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(seat.get()).isNull();
        assertThat(attempts.size()).isZero();

        release.countDown();
        assertThat(lent.get(20, TimeUnit.SECONDS)).as("the worker learns it was lent").isTrue();
        assertThat(heard.poll(200, TimeUnit.MILLISECONDS)).as("the late answer is ignored").isNull();

        assertThat(quick.inline()).as("the lent channel moved to its own threads").isFalse();
        assertThat(quick.inFlight()).as("the stuck thread is back: its place is free").isZero();

        // the next attempt on the same seat (a channel still quick): recorded by the worker itself, the seat empty again
        ChannelSlot again = new ChannelSlot(blocking, 10, 0, meters);
        DeliveryJob next = claimed(again);
        assertThat(attempts.start(next, clock.instant(), () -> { }, seat)).isFalse();
        assertThat(heard.poll()).as("recorded before start returned").isEqualTo("sent");
        assertThat(seat.get()).isNull();
        assertThat(attempts.size()).isZero();
        assertThat(again.inFlight()).isZero();
        attempts.unseat(seat);
    }

    private String next() throws InterruptedException {
        String o = heard.poll(20, TimeUnit.SECONDS);
        assertThat(o).as("an outcome").isNotNull();
        return o;
    }

    @Test
    void anAttemptWithinItsDeadlineIsLeftAloneAndRecordedWhenItsStageCompletes() throws Exception {
        DeliveryJob job = claimed();
        attempts.start(job, clock.instant(), () -> { }, worker);
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
        attempts.start(job, clock.instant(), () -> { }, worker);
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
        attempts.start(later, clock.instant(), () -> { }, worker);
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
        attempts.start(job, clock.instant(), () -> { }, worker);

        assertThat(handedBack).containsExactly(job);
        assertThat(channel.started).isEmpty();
        assertThat(slot.inFlight()).as("its place is free again").isZero();
    }
}
