package dev.notify.core;

import dev.notify.api.Notification;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One unit of work: one attempt of one delivery. Kept small: under a burst, hundreds of
 * thousands wait in the queue, and each one that outlives a young collection is copied.
 */
final class DeliveryJob {

    private static final AtomicIntegerFieldUpdater<DeliveryJob> FINISHED =
            AtomicIntegerFieldUpdater.newUpdater(DeliveryJob.class, "finished");
    static final int BY_CHANNEL = 1;
    static final int BY_DEADLINE = 2;

    final Notification notification;
    final ChannelSlot slot;
    final String target;
    final long deliveryId;
    final int attempt;
    final Instant dueAt;
    // when this node's lease on the delivery ends (at the latest): an attempt must be over by then
    final Instant leaseUntil;
    volatile Instant startedAt;
    private volatile int finished;

    DeliveryJob(Notification notification, ChannelSlot slot, String target, long deliveryId, int attempt, Instant dueAt,
                Instant leaseUntil) {
        this.notification = notification;
        this.slot = slot;
        this.target = target;
        this.deliveryId = deliveryId;
        this.attempt = attempt;
        this.dueAt = dueAt;
        this.leaseUntil = leaseUntil;
    }

    /** The delivery's idempotency key for the channel: its stored id. */
    String key() {
        return Long.toString(deliveryId);
    }

    /**
     * Claims the right to report this attempt's outcome, once: the channel's answer
     * ({@link #BY_CHANNEL}) or the passing of its deadline ({@link #BY_DEADLINE}), whichever comes first.
     */
    boolean finish(int by) {
        return FINISHED.compareAndSet(this, 0, by);
    }

    /** For shutdown reports and logs. */
    String describe() {
        return "notification " + notification.id() + " via " + slot.channel.name() + " to " + target;
    }
}
