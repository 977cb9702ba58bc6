package dev.notify.core;

import dev.notify.api.Notification;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelSlotTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static DeliveryJob job(ChannelSlot slot, long id) {
        Instant now = Instant.now();
        return new DeliveryJob(Notification.builder().recipient("u1").title("t").build(), slot, "u1", id, 1, now, now.plusSeconds(60));
    }

    @Test
    @DisplayName("the default limit does not park a job while the channel runs inline, and binds again once it runs on its own threads")
    void theDefaultLimitDoesNotBindWhileInline() {
        ChannelSlot slot = new ChannelSlot(new RecordingPushChannel("push"), 2, false, 2, meters);
        assertThat(slot.inline()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(slot.acquireOrPark(job(slot, i))).as("job %d", i).isTrue();
        }
        slot.toOwnThreads("test");
        assertThat(slot.acquireOrPark(job(slot, 9))).as("5 in flight, limit 2, own threads").isFalse();
    }

    @Test
    @DisplayName("a configured max-concurrency binds inline too")
    void aConfiguredLimitBindsInline() {
        ChannelSlot slot = new ChannelSlot(new RecordingPushChannel("push"), 2, true, 2, meters);
        assertThat(slot.inline()).isTrue();
        assertThat(slot.acquireOrPark(job(slot, 1))).isTrue();
        assertThat(slot.acquireOrPark(job(slot, 2))).isTrue();
        assertThat(slot.acquireOrPark(job(slot, 3))).as("parked").isFalse();
        assertThat(slot.releaseAndUnpark()).as("the parked job runs next").isNotNull();
    }

    @Test
    @DisplayName("one slow inline call (a preempted worker) keeps the channel inline; two in a row move it to its own threads")
    void twoSlowInlineCallsInARowMoveTheChannel() {
        ChannelSlot slot = new ChannelSlot(new RecordingPushChannel("push"), 2, false, 2, meters);
        long slow = 2 * ChannelSlot.INLINE_MAX_NANOS;
        slot.deliverTook(slow, true);
        assertThat(slot.inline()).isTrue();
        slot.deliverTook(1_000, true);
        slot.deliverTook(slow, true);
        assertThat(slot.inline()).as("a quick call in between").isTrue();
        slot.deliverTook(slow, true);
        assertThat(slot.inline()).isFalse();
        for (int i = 0; i < ChannelSlot.QUICK_RUN; i++) {
            slot.deliverTook(1_000, false);
        }
        assertThat(slot.inline()).as("quick again on its own threads").isTrue();
    }
}
