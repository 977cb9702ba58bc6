package dev.notify.core;

import dev.notify.api.Notification;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HeldDeferralsTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<DeliveryJob> due = new LinkedBlockingQueue<>();
    private final ChannelSlot push = new ChannelSlot(new RecordingPushChannel("push"), 4, 0, new SimpleMeterRegistry());
    private final ChannelSlot other = new ChannelSlot(new RecordingPushChannel("other"), 4, 0, new SimpleMeterRegistry());
    private long ids;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private DeliveryJob job(ChannelSlot slot, String target) {
        Notification n = Notification.builder().recipient(target).title(target).build();
        Instant now = Instant.now();
        return new DeliveryJob(n, slot, target, ++ids, 1, now, now.plusSeconds(60));
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void eachHeldJobComesBackWhenItsDeferralEndsSoonestFirstAndNotBefore() throws InterruptedException {
        HeldDeferrals held = new HeldDeferrals(scheduler, due::add, 10, ms(2_000), System::nanoTime);
        DeliveryJob late = job(push, "a");
        DeliveryJob early = job(push, "b");
        DeliveryJob middle = job(push, "c");
        long start = System.nanoTime();

        assertThat(held.hold(late, ms(300))).isTrue();
        assertThat(held.hold(early, ms(100))).isTrue();
        assertThat(held.hold(middle, ms(200))).isTrue();
        assertThat(held.size()).isEqualTo(3);

        assertThat(due.poll(5, TimeUnit.SECONDS)).isSameAs(early);
        assertThat(System.nanoTime() - start).as("not before its deferral ends").isGreaterThanOrEqualTo(ms(99));
        assertThat(due.poll(5, TimeUnit.SECONDS)).isSameAs(middle);
        assertThat(due.poll(5, TimeUnit.SECONDS)).isSameAs(late);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(ms(299));
        assertThat(held.size()).isZero();
    }

    @Test
    void aDeferralPastTheHorizonOrBeyondTheCapIsNotHeld() {
        HeldDeferrals held = new HeldDeferrals(scheduler, due::add, 2, ms(1_000), System::nanoTime);

        assertThat(held.hold(job(push, "a"), ms(1_001))).as("past the horizon").isFalse();
        assertThat(held.hold(job(push, "a"), ms(900))).isTrue();
        assertThat(held.hold(job(push, "b"), ms(900))).isTrue();
        assertThat(held.hold(job(push, "c"), ms(10))).as("two held already").isFalse();
        assertThat(held.size()).isEqualTo(2);
    }

    @Test
    void closingReturnsEveryHeldJobHoldsNothingMoreAndNothingComesBackLater() throws InterruptedException {
        HeldDeferrals held = new HeldDeferrals(scheduler, due::add, 10, ms(2_000), System::nanoTime);
        DeliveryJob a = job(push, "a");
        DeliveryJob b = job(other, "b");
        held.hold(a, ms(100));
        held.hold(b, ms(150));

        assertThat(held.close()).containsExactlyInAnyOrder(a, b);
        assertThat(held.hold(job(push, "c"), ms(10))).isFalse();
        assertThat(due.poll(400, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void takeForTakesOnlyThatChannelsJobsToThatTargetSoonestFirstUpToTheLimit() throws InterruptedException {
        HeldDeferrals held = new HeldDeferrals(scheduler, due::add, 10, ms(2_000), System::nanoTime);
        DeliveryJob x3 = job(push, "x");
        DeliveryJob x1 = job(push, "x");
        DeliveryJob x2 = job(push, "x");
        DeliveryJob y = job(push, "y");
        DeliveryJob otherX = job(other, "x");
        held.hold(x3, ms(1_500));
        held.hold(x1, ms(1_000));
        held.hold(x2, ms(1_200));
        held.hold(y, ms(1_000));
        held.hold(otherX, ms(1_000));

        List<DeliveryJob> taken = held.takeFor("push", "x", 2);

        assertThat(taken).containsExactly(x1, x2);
        assertThat(held.size()).isEqualTo(3);
        assertThat(held.close()).containsExactlyInAnyOrder(x3, y, otherX);
    }
}
