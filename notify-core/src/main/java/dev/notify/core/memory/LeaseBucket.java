package dev.notify.core.memory;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deliveries whose leases end in one second. Taking a lease appends the id; releasing
 * one only counts down, so the id stays behind and whoever walks the bucket checks that the
 * delivery still holds a lease in it. Once the count is zero the bucket can be closed and
 * dropped; a lease taken after that goes to a fresh bucket for the same second.
 */
final class LeaseBucket {
    final long second;
    private final AtomicInteger held = new AtomicInteger();
    private long[] ids = new long[16];
    private int size;
    private boolean closed;

    LeaseBucket(long second) {
        this.second = second;
    }

    /** Records a lease of this delivery; false when the bucket is closed. */
    synchronized boolean add(long id) {
        if (closed) {
            return false;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        held.incrementAndGet();
        return true;
    }

    /** A lease taken with {@link #add} ended. */
    void release() {
        held.decrementAndGet();
    }

    /** Closes the bucket if no lease in it is held; returns whether it is closed. */
    synchronized boolean closeIfIdle() {
        if (held.get() == 0) {
            closed = true;
        }
        return closed;
    }

    /** Every id ever added, held or not. */
    synchronized long[] ids() {
        return Arrays.copyOf(ids, size);
    }
}
