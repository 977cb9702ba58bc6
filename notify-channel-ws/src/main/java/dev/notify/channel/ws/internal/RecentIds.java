package dev.notify.channel.ws.internal;

/**
 * The ids of the last events sent, so a replay never sends one twice; allocated on first use.
 *
 * <p>Primitive arrays only: a broadcast adds one id to every connection's set, and a boxed
 * {@code Long} in a {@code HashSet} meant two allocations per connection per event and a
 * young reference stored into a long-lived table (a dirtied card for G1 to refine). Ids are
 * event-log sequences, so never 0, which marks a free slot of the open-addressing table.
 */
final class RecentIds {
    static final int CAPACITY = 1024;
    // the ids in the order they were added, oldest at head, to forget the oldest at capacity
    private long[] ring;
    // linear probing, kept at most half full; 0 = free
    private long[] table;
    private int head;
    private int size;

    boolean contains(long id) {
        if (table == null) {
            return false;
        }
        int mask = table.length - 1;
        for (int i = slot(id, mask); ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == id) {
                return true;
            }
            if (v == 0) {
                return false;
            }
        }
    }

    void add(long id) {
        if (id == 0) {
            throw new IllegalArgumentException("event ids start at 1");
        }
        if (ring == null) {
            ring = new long[8];
            table = new long[16];
        }
        if (contains(id)) {
            return;
        }
        if (size == ring.length && ring.length < CAPACITY) {
            long[] bigger = new long[Math.min(CAPACITY, ring.length * 2)];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
            table = new long[bigger.length * 2];
            for (int i = 0; i < size; i++) {
                insert(ring[i]);
            }
        }
        if (size == ring.length) {
            // full at capacity: the oldest id is forgotten
            remove(ring[head]);
            ring[head] = id;
            head = (head + 1) % ring.length;
        } else {
            ring[(head + size) % ring.length] = id;
            size++;
        }
        insert(id);
    }

    private void insert(long id) {
        int mask = table.length - 1;
        int i = slot(id, mask);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = id;
    }

    // backward-shift deletion: later entries of the probe run move up, so no tombstones are needed
    private void remove(long id) {
        int mask = table.length - 1;
        int i = slot(id, mask);
        while (table[i] != id) {
            if (table[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        int gap = i;
        for (int j = (gap + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int home = slot(table[j], mask);
            // move table[j] into the gap unless its home lies cyclically in (gap, j]
            boolean stays = gap <= j ? (gap < home && home <= j) : (gap < home || home <= j);
            if (!stays) {
                table[gap] = table[j];
                gap = j;
            }
        }
        table[gap] = 0;
    }

    private static int slot(long id, int mask) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
