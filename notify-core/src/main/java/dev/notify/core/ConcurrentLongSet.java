package dev.notify.core;

import java.util.Arrays;

/**
 * A thread-safe set of longs without boxing: the values are spread over striped open-addressing
 * tables (linear probing, backward-shift deletion), each guarded by its own monitor. It holds
 * the deliveries a service has in memory; under a burst that is hundreds of thousands of ids,
 * which as a {@code ConcurrentHashMap} key set would be two objects each for every young
 * collection to copy. Tables shrink again once a burst has drained.
 *
 * <p>{@link Long#MIN_VALUE} cannot be stored (it marks an empty slot).
 */
final class ConcurrentLongSet {

    private static final long EMPTY = Long.MIN_VALUE;
    // 256 stripes: the publishing thread adds while every worker removes, and a stripe whose holder
    // is preempted (two cores, many threads) stalls whoever needs it; fewer collisions, fewer stalls
    private static final int STRIPE_BITS = 8;
    private static final int MIN_CAPACITY = 16;

    private final Stripe[] stripes = new Stripe[1 << STRIPE_BITS];

    ConcurrentLongSet() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** Adds the value; false when it was present already. */
    boolean add(long value) {
        check(value);
        long h = mix(value);
        return stripe(h).add(value, h);
    }

    /** Removes the value; false when it was absent. */
    boolean remove(long value) {
        check(value);
        long h = mix(value);
        return stripe(h).remove(value, h);
    }

    boolean contains(long value) {
        check(value);
        long h = mix(value);
        return stripe(h).contains(value, h);
    }

    int size() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.size();
        }
        return n;
    }

    private Stripe stripe(long hash) {
        return stripes[(int) (hash >>> (64 - STRIPE_BITS))];
    }

    private static void check(long value) {
        if (value == EMPTY) {
            throw new IllegalArgumentException("Long.MIN_VALUE cannot be stored");
        }
    }

    /** Spreads ids that are dense and sequential over stripes and slots (Fibonacci hashing). */
    private static long mix(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    private static final class Stripe {
        private long[] table = emptyTable(MIN_CAPACITY);
        private int size;

        private static long[] emptyTable(int capacity) {
            long[] t = new long[capacity];
            Arrays.fill(t, EMPTY);
            return t;
        }

        synchronized boolean add(long value, long hash) {
            int mask = table.length - 1;
            int i = (int) hash & mask;
            while (table[i] != EMPTY) {
                if (table[i] == value) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            table[i] = value;
            if (++size * 2 > table.length) {
                rehash(table.length * 2);
            }
            return true;
        }

        synchronized boolean contains(long value, long hash) {
            return indexOf(value, hash) >= 0;
        }

        synchronized boolean remove(long value, long hash) {
            int i = indexOf(value, hash);
            if (i < 0) {
                return false;
            }
            int mask = table.length - 1;
            // backward-shift deletion: move later entries of the probe run into the hole, so no tombstones
            int hole = i;
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                long v = table[j];
                if (v == EMPTY) {
                    break;
                }
                int home = (int) mix(v) & mask;
                // v may fill the hole unless its home lies cyclically in (hole, j]
                boolean homeBetween = hole <= j ? home > hole && home <= j : home > hole || home <= j;
                if (!homeBetween) {
                    table[hole] = v;
                    hole = j;
                }
            }
            table[hole] = EMPTY;
            size--;
            if (table.length > MIN_CAPACITY && size * 8 < table.length) {
                rehash(table.length / 2);
            }
            return true;
        }

        synchronized int size() {
            return size;
        }

        private int indexOf(long value, long hash) {
            int mask = table.length - 1;
            int i = (int) hash & mask;
            while (table[i] != EMPTY) {
                if (table[i] == value) {
                    return i;
                }
                i = (i + 1) & mask;
            }
            return -1;
        }

        private void rehash(int capacity) {
            long[] old = table;
            long[] t = emptyTable(capacity);
            int mask = capacity - 1;
            for (long v : old) {
                if (v != EMPTY) {
                    int i = (int) mix(v) & mask;
                    while (t[i] != EMPTY) {
                        i = (i + 1) & mask;
                    }
                    t[i] = v;
                }
            }
            table = t;
        }
    }
}
