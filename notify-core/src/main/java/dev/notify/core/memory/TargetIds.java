package dev.notify.core.memory;

import java.util.Arrays;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The delivery ids of one (channel, target): appended on every save, read only by the rare
 * attempts-log listing, so appends are a plain array write instead of a sorted-set insert.
 */
final class TargetIds {
    private long[] ids = new long[8];
    private int size;
    private boolean dropped; // emptied by a prune and on its way out of the map

    /** Adds the id; false when this list was dropped, and the id belongs in a fresh one. */
    synchronized boolean add(long id) {
        if (dropped) {
            return false;
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        return true;
    }

    /** Drops these ids; returns whether none is left, in which case the list is dropped. */
    synchronized boolean removeAll(Set<Long> gone) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!gone.contains(ids[i])) {
                ids[kept++] = ids[i];
            }
        }
        size = kept;
        if (size < ids.length / 4 && ids.length > 8) {
            ids = Arrays.copyOf(ids, Math.max(8, size * 2));
        }
        dropped = size == 0;
        return dropped;
    }

    /** The ids, oldest first, as a copy. */
    synchronized long[] toArray() {
        return Arrays.copyOf(ids, size);
    }

    synchronized NavigableSet<Long> newestFirst() {
        TreeSet<Long> set = new TreeSet<>(Comparator.reverseOrder());
        for (int i = 0; i < size; i++) {
            set.add(ids[i]);
        }
        return set;
    }
}
