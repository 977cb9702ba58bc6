package dev.notify.channel.webhook.internal;

import java.time.Duration;
import java.util.concurrent.Semaphore;

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
 */
final class EndpointSlots {

    private final Semaphore permits;
    private final int limit;
    private long averageNanos; // of the recent attempts (EWMA); 0 until the first ends
    private long nextFreeNanos;
    private long lastRecoveryNanos;
    private boolean recoveredOnce;

    EndpointSlots(int limit) {
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    /** Takes a place, or returns false when the endpoint is saturated. */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /** Gives back the place of an attempt that took {@code nanos}. */
    void release(long nanos) {
        synchronized (this) {
            averageNanos = averageNanos == 0 ? nanos : averageNanos + (nanos - averageNanos) / 5;
        }
        permits.release();
    }

    /** How long a delivery that found the endpoint saturated at {@code nowNanos} waits: its reserved place. */
    synchronized Duration deferral(long nowNanos, Duration min) {
        long at = Math.max(nowNanos + min.toNanos(), nextFreeNanos);
        nextFreeNanos = at + averageNanos / limit;
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
        if (nextFreeNanos - nowNanos <= h || tookNanos * 4 >= averageNanos
                || (recoveredOnce && nowNanos - lastRecoveryNanos < h)) {
            return false;
        }
        averageNanos = tookNanos;
        nextFreeNanos = nowNanos;
        lastRecoveryNanos = nowNanos;
        recoveredOnce = true;
        return true;
    }

    /** Attempts in flight now. */
    int inFlight() {
        return limit - permits.availablePermits();
    }
}
