package dev.notify.channel.webhook.internal;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One endpoint's places in flight ({@code max-concurrency-per-endpoint}) and the schedule on which
 * its waiting deliveries come back.
 *
 * <p>A delivery that finds the endpoint saturated is deferred (no attempt spent), and the engine
 * hands it out again when the deferral ends; every deferral costs the engine a store write. So each
 * deferral reserves the next place on the endpoint's own pace (its recent attempt duration divided by
 * its limit), at least {@code busy-retry-after} away and with no upper bound: a backlog comes back
 * about as fast as the endpoint can take it, each delivery deferred about once. (Capping the wait, as
 * {@code busy-retry-max} once did, made an endpoint that hangs with a backlog of {@code n} cost
 * {@code n} writes every cap, growing with the backlog for as long as it hung; in the 10-minute soak,
 * with five hung endpoints, healthy webhooks fell minutes behind with the cap and kept up without it.) When the endpoint answers
 * quickly again while its reservations reach further than {@code busy-retry-max}, {@link #recovered}
 * says so once, and the channel has the backlog made due at once
 * ({@link dev.notify.api.spi.ChannelContext#deferredDueNow}).
 *
 * <p>Before it is deferred, a delivery may wait in memory ({@link #acquireOrWait}): a deferral comes
 * back no sooner than {@code busy-retry-after} (1 s) and costs two store writes, while an endpoint
 * that answers in milliseconds frees a place long before. So when the endpoint's pace says a place
 * frees for it within {@code busy-wait}, the delivery joins this endpoint's line and takes the next
 * place given back ({@link #release} hands it over directly); one whose place did not come in time
 * leaves the line ({@link #leave}) and is deferred after all. An endpoint with no pace yet (none of
 * its attempts ended), one whose latest attempt got no answer (hanging, resetting: {@link #answered})
 * or a slow one queues nobody: its
 * deliveries are deferred at once, as before. (The 10-minute soak of issue 14 found 29 of 309,192
 * healthy webhooks more than 2 s late: their endpoint's four places were briefly full, each deferral
 * at least 1 s.)
 *
 * <p>Reservations made on a pace slower than the endpoint keeps a moment later would leave it idle
 * while its backlog waits in the store: {@link #toPull} says when to pull the next deferred deliveries
 * forward, and how many ({@link BacklogPuller} asks after each attempt and for idle endpoints).
 */
final class EndpointSlots {

    /** How a delivery fared at {@link #acquireOrWait}. */
    enum Admission {
        /** It has a place: send now. */
        TAKEN,
        /** It waits in line; its {@code granted} runs when a place is handed to it. */
        WAITING,
        /** Saturated, and no place is expected in time: defer it. */
        BUSY
    }

    private final int limit;
    private final int maxLine;
    private final ArrayDeque<Runnable> line = new ArrayDeque<>();
    private int taken;
    // whether the endpoint's latest attempt got an HTTP answer (a timeout, reset or refusal did not)
    private boolean answering;
    private long averageNanos; // of the recent attempts (EWMA); 0 until the first ends
    // where the next deferral's place is reserved; moved back by the places of deliveries pulled forward (toPull)
    private long nextFreeNanos;
    // the end of the latest reservation made: deliveries may be deferred up to then (toPull pulls while it lies ahead)
    private long reservedUntilNanos;
    // the pace of the latest reservation: what a place pulled forward gives back
    private long reservedPaceNanos;
    private long lastRecoveryNanos;
    private boolean recoveredOnce;
    private long lastPullNanos;
    private boolean pulledOnce;

    EndpointSlots(int limit) {
        this(limit, 16 * limit);
    }

    /** {@code limit} places in flight; at most {@code maxLine} deliveries waiting for one. */
    EndpointSlots(int limit, int maxLine) {
        this.limit = limit;
        this.maxLine = maxLine;
    }

    /** Takes a place, or returns false when the endpoint is saturated. */
    synchronized boolean tryAcquire() {
        if (taken < limit) {
            taken++;
            return true;
        }
        return false;
    }

    /**
     * Takes a place ({@link Admission#TAKEN}), or puts {@code granted} in line when the endpoint
     * answers ({@link #answered}), its pace says a place frees for it within {@code maxWaitNanos}, fewer than 16 per place wait, and
     * {@code admit} allows one more waiting (the node's bound; it is not asked otherwise)
     * ({@link Admission#WAITING}: {@code granted} runs on the thread of the {@link #release} that
     * hands it the place), else {@link Admission#BUSY}.
     */
    synchronized Admission acquireOrWait(Runnable granted, long maxWaitNanos, java.util.function.BooleanSupplier admit) {
        if (taken < limit) {
            taken++;
            return Admission.TAKEN;
        }
        if (!answering || averageNanos == 0 || line.size() >= maxLine
                || (line.size() + 1) * (averageNanos / limit) > maxWaitNanos || !admit.getAsBoolean()) {
            return Admission.BUSY;
        }
        line.add(granted);
        return Admission.WAITING;
    }

    /**
     * The endpoint's latest attempt ended with an HTTP answer ({@code true}, whatever the status) or
     * without one (a timeout, reset, refused connection). Only an answering endpoint lines deliveries
     * up: one that hangs has a pace too, its request timeout over its places, and with a short
     * timeout (the engine-level 50-hanging test uses 500 ms) that pace fits in {@code busy-wait}:
     * its deliveries would wait in line, each holding one of the engine's places in flight, for a
     * place that only a timeout frees.
     */
    synchronized void answered(boolean answered) {
        this.answering = answered;
    }

    /** Takes {@code granted} out of line; false when it was handed a place already (or was never in line). */
    synchronized boolean leave(Runnable granted) {
        return line.remove(granted);
    }

    /**
     * Gives back the place of an attempt that took {@code nanos}: to the first delivery in line,
     * whose {@code granted} then runs here, or to the endpoint.
     */
    void release(long nanos) {
        synchronized (this) {
            averageNanos = averageNanos == 0 ? nanos : averageNanos + (nanos - averageNanos) / 5;
        }
        unused();
    }

    /** Gives back a place that sent nothing (the node was full): as {@link #release}, the pace unchanged. */
    void unused() {
        Runnable next;
        synchronized (this) {
            next = line.poll();
            if (next == null) {
                taken--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    /** Deliveries waiting in line now. */
    synchronized int waiting() {
        return line.size();
    }

    /** Takes every delivery out of line (the channel closes): the caller ends each. */
    synchronized java.util.List<Runnable> drain() {
        java.util.List<Runnable> all = new java.util.ArrayList<>(line);
        line.clear();
        return all;
    }

    /** How long a delivery that found the endpoint saturated at {@code nowNanos} waits: its reserved place. */
    synchronized Duration deferral(long nowNanos, Duration min) {
        long at = Math.max(nowNanos + min.toNanos(), nextFreeNanos);
        reservedPaceNanos = averageNanos / limit;
        nextFreeNanos = at + reservedPaceNanos;
        reservedUntilNanos = Math.max(reservedUntilNanos, nextFreeNanos);
        return Duration.ofNanos(at - nowNanos);
    }

    /**
     * An attempt was answered with success after {@code tookNanos}, before {@link #release}. When
     * that is far quicker than the endpoint's recent pace (a quarter of it) while its reservations
     * reach more than {@code horizon} ahead, the endpoint has recovered from hanging or crawling:
     * its pace starts afresh from this attempt and the reservations from now, and the caller is
     * told to bring the deferred backlog forward. At most once per {@code horizon}.
     */
    synchronized boolean recovered(long nowNanos, long tookNanos, Duration horizon) {
        long h = horizon.toNanos();
        if (reservedUntilNanos - nowNanos <= h || tookNanos * 4 >= averageNanos
                || (recoveredOnce && nowNanos - lastRecoveryNanos < h)) {
            return false;
        }
        averageNanos = tookNanos;
        nextFreeNanos = nowNanos;
        reservedUntilNanos = nowNanos;
        lastRecoveryNanos = nowNanos;
        recoveredOnce = true;
        return true;
    }

    /**
     * How many of the deliveries deferred for this endpoint to bring forward now; 0 for none. Some,
     * when the endpoint has a free place, nobody in line, and
     * reservations that still reach past {@code nowNanos}: deliveries deferred earlier wait for
     * later times while the endpoint could take them. That happens when they were deferred on a
     * slower pace than it keeps now (measured: a burst at start-up, three nodes' JVMs compiling,
     * learnt a pace of ~35 ms per place where ~2 ms held a few seconds later, and the nodes then
     * idled while the backlog came back at the old pace). As many as would wait in line for
     * {@code maxWaitNanos} at most at the current pace, within the line's bound, so each finds a
     * place or a place in line rather than being deferred again; none for an endpoint that does not
     * answer or whose pace does not fit one delivery in {@code maxWaitNanos}. At most once per
     * {@code minIntervalNanos}, and not again before the last ones could have been served.
     */
    synchronized int toPull(long nowNanos, long maxWaitNanos, long minIntervalNanos) {
        if (taken == 0 && line.isEmpty() && nextFreeNanos > nowNanos) {
            // nothing in flight, nobody in line: a place is free now, whatever was reserved ahead (pulled below, or
            // delivered already by another way); a delivery deferred from here on need not wait behind it
            nextFreeNanos = nowNanos;
        }
        if (!answering || averageNanos == 0 || taken >= limit || !line.isEmpty() || reservedUntilNanos - nowNanos <= 0) {
            return 0;
        }
        long pace = Math.max(1, averageNanos / limit);
        int n = (int) Math.min(maxLine, maxWaitNanos / pace);
        if (n <= 0 || (pulledOnce && nowNanos - lastPullNanos < Math.max(minIntervalNanos, n * pace / 2))) {
            return 0;
        }
        pulledOnce = true;
        lastPullNanos = nowNanos;
        int pulled = n + (limit - taken);
        // the deliveries pulled no longer hold their reserved places: later deferrals reserve that much sooner (while the
        // pulls go on until the latest reservation has passed). Without this, reservations made on a slow pace, or for a
        // burst long since pulled forward, kept every later deferral of this endpoint seconds out, each then deferred to
        // the store and pulled forward again (issue 16's benchmark: after its warm-up, none of a run's deferrals ended
        // soon enough for the engine to hold it in memory)
        nextFreeNanos = Math.max(nowNanos, nextFreeNanos - pulled * Math.max(reservedPaceNanos, pace));
        return pulled;
    }

    /** Attempts in flight now. */
    synchronized int inFlight() {
        return taken;
    }
}
