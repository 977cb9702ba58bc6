package dev.notify.core;

import dev.notify.api.DeliveryResult;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * One attempt in flight: started by a worker, finished when the channel's stage completes or its
 * deadline passes, whichever comes first ({@link DeliveryJob#finish} decides). Exists only while in
 * flight (at most {@code delivery.max-in-flight} of them), so unlike {@link DeliveryJob}, which may
 * wait in the queue by the hundred thousand, it may carry what the attempt needs.
 *
 * <p>For a blocking channel it also knows the thread inside {@code deliver} (one of the channel's
 * own, or the worker that dispatched it while the channel is quick), so that a timeout can
 * interrupt it and count it as stuck until it returns, and a worker held too long can be lent. The runner's fields are guarded
 * by this object's monitor; the lock order is attempt, then slot. An attempt the worker runs inline on its
 * {@link InFlightAttempts.Seat} is made with its runner set (published by the seat's volatile write), so
 * the quick path takes the monitor once per attempt, in {@link #leave}.
 */
final class Attempt {

    final DeliveryJob job;
    final long startedNanos;
    final long deadlineNanos;
    // the channel's own stage, cancelled on timeout; set right after the channel returns it
    volatile CompletionStage<DeliveryResult> stage;
    private Thread runner;
    private boolean abandoned;
    private boolean stuck;
    private boolean keepsPlace;
    // lent: the worker running this attempt inline was given to the channel, a replacement started for it
    private boolean lent;

    // the seat of the worker that runs this attempt inline, instead of the in-flight set; null: not inline
    final InFlightAttempts.Seat seat;

    Attempt(DeliveryJob job, long startedNanos, long deadlineNanos) {
        this.job = job;
        this.startedNanos = startedNanos;
        this.deadlineNanos = deadlineNanos;
        this.seat = null;
    }

    /** An attempt the calling worker runs inline, seen by the watchdog through {@code seat} once it is set there. */
    Attempt(DeliveryJob job, long startedNanos, long deadlineNanos, InFlightAttempts.Seat seat) {
        this.job = job;
        this.startedNanos = startedNanos;
        this.deadlineNanos = deadlineNanos;
        this.seat = seat;
        this.runner = Thread.currentThread();
    }

    /** How long the attempt may take, from its start to its deadline. */
    Duration allowed() {
        return Duration.ofNanos(deadlineNanos - startedNanos);
    }

    /** A channel thread enters {@code deliver}; false when the attempt timed out while waiting for the thread. */
    synchronized boolean enter() {
        if (abandoned) {
            return false;
        }
        runner = Thread.currentThread();
        return true;
    }

    /**
     * The worker inside {@code deliver} is given to the channel: a replacement takes its place among
     * the workers, and it leaves them once back. Once per attempt, and only while it is still inside.
     *
     * @return whether the worker was lent now (the caller starts the replacement)
     */
    synchronized boolean lend() {
        if (seat == null || lent || runner == null) {
            return false;
        }
        lent = true;
        return true;
    }

    /** Whether a worker inside {@code deliver} has been there for {@code nanos} or more, and is not lent yet. */
    synchronized boolean inlineLongerThan(long now, long nanos) {
        return seat != null && !lent && runner != null && now - startedNanos >= nanos;
    }

    /**
     * Whether the worker that ran this attempt inline was lent to the channel (it leaves the
     * workers). Asked by that worker once back, after {@link #leave}: {@link #lend} needs a runner,
     * so nothing changes the answer after {@code leave}, whose monitor orders it after any lend.
     */
    boolean lentOnceBack() {
        return lent;
    }

    /**
     * The channel thread is back from {@code deliver}. Clears an interrupt meant for this attempt
     * (it must not leak into the thread's next one); a thread that was counted as stuck stops
     * counting.
     *
     * @return whether a place the channel kept for its stuck threads must be freed now
     */
    synchronized boolean leave() {
        runner = null;
        Thread.interrupted();
        if (stuck) {
            stuck = false;
            return job.slot.threadBack();
        }
        return false;
    }

    /**
     * The deadline passed: interrupts the channel thread inside {@code deliver}, if any, and counts
     * it as stuck; past the channel's allowance of stuck threads the attempt keeps its place (see
     * {@link ChannelSlot#threadStuck}).
     *
     * @return whether a thread was left inside {@code deliver}
     */
    synchronized boolean abandon() {
        abandoned = true;
        Thread t = runner;
        if (t == null) {
            return false;
        }
        t.interrupt();
        stuck = true;
        keepsPlace = job.slot.threadStuck();
        return true;
    }

    /** Whether the attempt's place stays taken after its outcome is recorded (freed when a stuck thread of its channel returns). */
    synchronized boolean keepsPlace() {
        return keepsPlace;
    }
}
