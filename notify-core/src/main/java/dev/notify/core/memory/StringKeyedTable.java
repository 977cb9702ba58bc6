package dev.notify.core.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A thread-safe map from a string key to a value that carries its own key: striped
 * open-addressing tables (linear probing, backward-shift deletion), each guarded by its own
 * monitor, with the keys' hashes kept in a parallel array.
 *
 * <p>It holds every stored notification. Compared with a {@code ConcurrentHashMap} it keeps no
 * node object per entry (one object less per notification for every young collection to copy,
 * and none allocated anew when a table grows), and growing a table copies two arrays without
 * touching the values.
 *
 * @param <V> the value type; {@code keyOf} gives a value's key, which must not change
 */
final class StringKeyedTable<V> {

    private static final int STRIPE_BITS = 6;
    private static final int MIN_CAPACITY = 16;

    private final Function<V, String> keyOf;
    private final Stripe<V>[] stripes;

    @SuppressWarnings("unchecked")
    StringKeyedTable(Function<V, String> keyOf) {
        this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
        this.stripes = new Stripe[1 << STRIPE_BITS];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe<>();
        }
    }

    /** The value with this key, or null. */
    V get(String key) {
        int h = spread(key.hashCode());
        return stripe(h).get(key, h, keyOf);
    }

    /** Adds the value unless one with its key is present; returns the present one, or null when added. */
    V putIfAbsent(V value) {
        String key = keyOf.apply(value);
        int h = spread(key.hashCode());
        return stripe(h).putIfAbsent(value, key, h, keyOf);
    }

    /** Removes this very value (by identity) if it is present under its key; returns whether it was. */
    boolean remove(V value) {
        String key = keyOf.apply(value);
        int h = spread(key.hashCode());
        return stripe(h).remove(value, key, h);
    }

    /** A snapshot of the values, in no particular order. */
    List<V> values() {
        List<V> out = new ArrayList<>();
        for (Stripe<V> s : stripes) {
            s.copyTo(out);
        }
        return out;
    }

    int size() {
        int n = 0;
        for (Stripe<V> s : stripes) {
            n += s.size();
        }
        return n;
    }

    private Stripe<V> stripe(int hash) {
        return stripes[hash >>> (32 - STRIPE_BITS)];
    }

    /** Mixes the string hash so that both the stripe (high bits) and the slot (low bits) are well spread. */
    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private static final class Stripe<V> {
        private Object[] values = new Object[MIN_CAPACITY];
        private int[] hashes = new int[MIN_CAPACITY];
        private int size;

        @SuppressWarnings("unchecked")
        synchronized V get(String key, int hash, Function<V, String> keyOf) {
            int mask = values.length - 1;
            for (int i = hash & mask; values[i] != null; i = (i + 1) & mask) {
                if (hashes[i] == hash && keyOf.apply((V) values[i]).equals(key)) {
                    return (V) values[i];
                }
            }
            return null;
        }

        @SuppressWarnings("unchecked")
        synchronized V putIfAbsent(V value, String key, int hash, Function<V, String> keyOf) {
            int mask = values.length - 1;
            int i = hash & mask;
            for (; values[i] != null; i = (i + 1) & mask) {
                if (hashes[i] == hash && keyOf.apply((V) values[i]).equals(key)) {
                    return (V) values[i];
                }
            }
            values[i] = value;
            hashes[i] = hash;
            if (++size * 4 > values.length * 3) {
                resize(values.length * 2);
            }
            return null;
        }

        synchronized boolean remove(V value, String key, int hash) {
            int mask = values.length - 1;
            int i = hash & mask;
            while (values[i] != value) {
                if (values[i] == null) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            // backward-shift deletion: move later entries of the probe run into the hole, so no tombstones
            int hole = i;
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                if (values[j] == null) {
                    break;
                }
                int home = hashes[j] & mask;
                boolean homeBetween = hole <= j ? home > hole && home <= j : home > hole || home <= j;
                if (!homeBetween) {
                    values[hole] = values[j];
                    hashes[hole] = hashes[j];
                    hole = j;
                }
            }
            values[hole] = null;
            hashes[hole] = 0;
            size--;
            if (values.length > MIN_CAPACITY && size * 8 < values.length) {
                resize(values.length / 2);
            }
            return true;
        }

        @SuppressWarnings("unchecked")
        synchronized void copyTo(List<V> out) {
            for (Object v : values) {
                if (v != null) {
                    out.add((V) v);
                }
            }
        }

        synchronized int size() {
            return size;
        }

        private void resize(int capacity) {
            Object[] oldValues = values;
            int[] oldHashes = hashes;
            Object[] newValues = new Object[capacity];
            int[] newHashes = new int[capacity];
            int mask = capacity - 1;
            for (int k = 0; k < oldValues.length; k++) {
                if (oldValues[k] != null) {
                    int i = oldHashes[k] & mask;
                    while (newValues[i] != null) {
                        i = (i + 1) & mask;
                    }
                    newValues[i] = oldValues[k];
                    newHashes[i] = oldHashes[k];
                }
            }
            values = newValues;
            hashes = newHashes;
        }
    }
}
