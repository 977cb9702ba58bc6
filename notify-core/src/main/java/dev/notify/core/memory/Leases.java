package dev.notify.core.memory;

import dev.notify.api.spi.Lease;

import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Lease handling: which deliveries are leased, and until when. Leased deliveries sit in buckets
 * by the second their lease ends in. A lease is taken and released for every delivery, so taking
 * one appends an id to its bucket and releasing one only counts down; a bucket is dropped once
 * nothing in it is leased any more (see {@link LeaseBucket}).
 *
 * <p>Owns the buckets and a delivery's lease fields. Only {@link Deliveries} calls it, always
 * holding the delivery's monitor for {@link #take} and {@link #end}; it calls nothing but the
 * buckets, and hands lapsed leases back through {@link #sweep}'s callback.
 */
final class Leases {

    private final ConcurrentSkipListMap<Long, LeaseBucket> bySecond = new ConcurrentSkipListMap<>();
    private volatile LeaseBucket last; // where the leases of this second go: skips the map lookup

    /** What {@link #sweep} does with each id of a lapsed bucket. */
    interface Lapsed {
        /** The delivery may hold a lease in {@code bucket} that has lapsed, or may have released it long ago. */
        void reclaim(LeaseBucket bucket, long deliveryId);
    }

    /** Leases the delivery; the caller holds its monitor. */
    void take(DeliveryState s, Lease lease) {
        long second = lease.until().getEpochSecond();
        while (true) {
            LeaseBucket bucket = last;
            if (bucket == null || bucket.second != second) {
                bucket = bySecond.computeIfAbsent(second, LeaseBucket::new);
                last = bucket;
            }
            if (bucket.add(s.id)) {
                s.leaseBucket = bucket;
                s.leaseUntil = lease.until();
                s.leaseOwner = lease.owner();
                return;
            }
            // dropped as idle meanwhile: make sure it is out of the map, then take a fresh one
            bySecond.remove(second, bucket);
            last = null;
        }
    }

    /** Ends the delivery's lease, if it holds one; the caller holds its monitor. */
    void end(DeliveryState s) {
        if (s.leaseBucket != null) {
            s.leaseBucket.release();
            s.leaseBucket = null;
            s.leaseUntil = null;
            s.leaseOwner = null;
        }
    }

    /**
     * Hands every id of each bucket whose second is not after {@code now} to {@code lapsed}, and
     * drops every bucket in which nothing is leased any more.
     */
    void sweep(Instant now, Lapsed lapsed) {
        long second = now.getEpochSecond();
        for (LeaseBucket bucket : bySecond.values()) {
            if (bucket.second <= second) {
                for (long id : bucket.ids()) {
                    lapsed.reclaim(bucket, id);
                }
            }
            // any bucket, lapsed or not, goes once nothing in it is leased: released ids are only counted down
            if (bucket.closeIfIdle()) {
                bySecond.remove(bucket.second, bucket);
            }
        }
    }
}
