package dev.notify.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Deferred deliveries this node keeps in memory, still leased to it, until their deferral ends,
 * instead of handing them back to the store. A channel that paces a saturated receiver defers each
 * waiting delivery to its own reserved moment, a second or more ahead (the webhook channel); handed
 * back, each deferral was a store write, and the row, due again, was claimed by whichever node
 * asked first, whose own places for that receiver were full too, so it deferred the delivery again:
 * with three nodes on one PostgreSQL, 3.4 deferrals per webhook against 1.5 with one, most of the
 * extra database time (docs/benchmarks.md, "Several nodes: webhook throughput"). Held here, a short
 * deferral costs no write and comes back to the node whose pace reserved its moment. The price: a
 * held delivery waits for this node's places even when another node's are free; the horizon bounds
 * that wait, and a channel bringing its backlog forward ({@link #takeFor}) takes held ones first.
 *
 * <p>Only deferrals ending within {@code horizonNanos} are held, at most {@code max} at a time; the
 * tracker also holds only those that end well inside the delivery's lease, so a node that dies
 * loses nothing: its lease lapses and another node claims the delivery. Each held job counts
 * against the tracker's claim bound, as a queued one does. When a deferral ends the job goes to
 * {@code due} (the tracker's queue) on the scheduler's thread. Calls only the scheduler and
 * {@code due}.
 */
final class HeldDeferrals {

    // deferrals ending within a millisecond of each other come back together
    private static final long COALESCE_NANOS = 1_000_000;

    private record Held(DeliveryJob job, long atNanos, long seq) {
    }

    private final ScheduledExecutorService scheduler;
    private final Consumer<DeliveryJob> due;
    private final int max;
    private final long horizonNanos;
    private final LongSupplier nanos;
    private final PriorityQueue<Held> byTime = new PriorityQueue<>(
            Comparator.comparingLong(Held::atNanos).thenComparingLong(Held::seq));
    private long seq;
    // when the earliest timer scheduled runs (Long.MAX_VALUE: none pending)
    private long timerAt = Long.MAX_VALUE;
    private boolean closed;

    HeldDeferrals(ScheduledExecutorService scheduler, Consumer<DeliveryJob> due, int max, long horizonNanos, LongSupplier nanos) {
        this.scheduler = scheduler;
        this.due = due;
        this.max = max;
        this.horizonNanos = horizonNanos;
        this.nanos = nanos;
    }

    /**
     * Holds {@code job} until {@code delayNanos} from now; false (the caller hands it back to the
     * store) when the delay is beyond the horizon, {@code max} are held or this is closed.
     */
    synchronized boolean hold(DeliveryJob job, long delayNanos) {
        if (closed || delayNanos > horizonNanos || byTime.size() >= max) {
            return false;
        }
        long now = nanos.getAsLong();
        long at = now + Math.max(0, delayNanos);
        byTime.add(new Held(job, at, seq++));
        if (at < timerAt && !schedule(at, now)) {
            byTime.removeIf(h -> h.job == job);
            return false;
        }
        return true;
    }

    /** How many are held now. */
    synchronized int size() {
        return byTime.size();
    }

    /**
     * Takes up to {@code limit} held jobs of {@code channel} to {@code target} out, the soonest first,
     * for the caller to run now (a channel brings its deferred backlog forward).
     */
    synchronized List<DeliveryJob> takeFor(String channel, String target, int limit) {
        List<Held> matching = new ArrayList<>();
        for (Held h : byTime) {
            if (h.job.target.equals(target) && h.job.slot.channel.name().equals(channel)) {
                matching.add(h);
            }
        }
        matching.sort(byTime.comparator());
        List<DeliveryJob> out = new ArrayList<>();
        for (Held h : matching) {
            if (out.size() >= limit) {
                break;
            }
            byTime.remove(h);
            out.add(h.job);
        }
        return out;
    }

    /** Holds nothing more and returns every job held, for the caller to hand back to the store. */
    synchronized List<DeliveryJob> close() {
        closed = true;
        List<DeliveryJob> all = new ArrayList<>(byTime.size());
        for (Held h : byTime) {
            all.add(h.job);
        }
        byTime.clear();
        return all;
    }

    private boolean schedule(long at, long now) {
        try {
            scheduler.schedule(this::fire, at - now, TimeUnit.NANOSECONDS);
            timerAt = at;
            return true;
        } catch (RejectedExecutionException e) {
            return false; // shutting down
        }
    }

    private void fire() {
        List<DeliveryJob> ready = new ArrayList<>();
        synchronized (this) {
            long now = nanos.getAsLong();
            if (timerAt <= now) {
                timerAt = Long.MAX_VALUE; // this was the earliest timer (a later one may still be pending; it finds nothing)
            }
            while (!byTime.isEmpty() && byTime.peek().atNanos <= now + COALESCE_NANOS) {
                ready.add(byTime.poll().job);
            }
            Held next = byTime.peek();
            if (next != null && next.atNanos < timerAt && !closed) {
                schedule(next.atNanos, now);
            }
        }
        for (DeliveryJob j : ready) {
            due.accept(j);
        }
    }
}
