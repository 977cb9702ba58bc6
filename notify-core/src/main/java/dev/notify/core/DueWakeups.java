package dev.notify.core;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The claims a node brings forward to the moments when deliveries it handed back fall due again
 * (a deferral, a retry), so they run then and not at the next periodic claim, up to
 * {@code delivery.poll-interval} (1 s) later. A channel that paces a saturated receiver defers
 * each waiting delivery to its own reserved moment, a few milliseconds apart (the webhook
 * channel); claimed only once a second, a whole second of them came back at once, found the
 * receiver saturated again and were deferred again, each time a store write and a claim
 * (measured: 1.1-1.3 deferrals per webhook, see docs/benchmarks.md "Several nodes: webhook
 * throughput").
 *
 * <p>Wake-ups are coalesced into buckets of {@code granularityMillis}: one claim per bucket,
 * however many deliveries fall due in it, so a burst of deferrals costs at most one claim per
 * bucket. Beyond {@code horizonMillis} the periodic claim is close enough, and the number of
 * timers stays bounded (horizon over granularity). Calls only the scheduler and the claim it is
 * given.
 */
final class DueWakeups {

    private final ScheduledExecutorService scheduler;
    private final Runnable claim;
    private final long granularityMillis;
    private final long horizonMillis;
    private final LongSupplier nanos;
    // the buckets (end of each, in ms of the monotonic clock) with a claim scheduled
    private final ConcurrentSkipListSet<Long> pending = new ConcurrentSkipListSet<>();

    DueWakeups(ScheduledExecutorService scheduler, Runnable claim, long granularityMillis, long horizonMillis, LongSupplier nanos) {
        if (granularityMillis < 1 || horizonMillis < granularityMillis) {
            throw new IllegalArgumentException("granularity must be at least 1 ms and the horizon at least the granularity");
        }
        this.scheduler = scheduler;
        this.claim = claim;
        this.granularityMillis = granularityMillis;
        this.horizonMillis = horizonMillis;
        this.nanos = nanos;
    }

    /**
     * Has a claim run {@code delayMillis} from now, rounded up to the end of its bucket, unless one
     * is scheduled for that bucket already.
     *
     * @return false when the delay is beyond the horizon (the periodic claim takes it) or the
     *         scheduler is shut down
     */
    boolean wakeIn(long delayMillis) {
        if (delayMillis < 0 || delayMillis > horizonMillis) {
            return false;
        }
        long now = nanos.getAsLong() / 1_000_000;
        long at = now + delayMillis;
        long bucketEnd = (Math.floorDiv(at, granularityMillis) + 1) * granularityMillis;
        Long key = bucketEnd;
        if (!pending.add(key)) {
            return true;
        }
        try {
            scheduler.schedule(() -> {
                pending.remove(key);
                claim.run();
            }, bucketEnd - now, TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            pending.remove(key);
            return false;
        }
    }

    /** Claims scheduled and not yet run (a gauge, and for tests). */
    int scheduled() {
        return pending.size();
    }
}
