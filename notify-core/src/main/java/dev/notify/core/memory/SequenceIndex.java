package dev.notify.core.memory;

import dev.notify.api.EventLogEntry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The event-log entries of one user or topic, in sequence order. Appends happen under the log
 * lock in increasing sequence order and pruning removes from the head, so a plain array with a
 * moving head does: cheaper than a skip list, whose every insert chases pointers.
 */
final class SequenceIndex {
    private EventLogEntry[] entries = new EventLogEntry[4];
    private int head;
    private int tail;

    synchronized void append(EventLogEntry e) {
        if (tail == entries.length) {
            int live = tail - head;
            EventLogEntry[] target = live <= entries.length / 2 ? entries : new EventLogEntry[entries.length * 2];
            System.arraycopy(entries, head, target, 0, live);
            if (target == entries) {
                Arrays.fill(entries, live, tail, null);
            }
            entries = target;
            head = 0;
            tail = live;
        }
        entries[tail++] = e;
    }

    /** Drops the oldest entry if it is {@code sequence}. */
    synchronized void removeHead(long sequence) {
        if (head < tail && entries[head].sequence() == sequence) {
            entries[head++] = null;
        }
    }

    synchronized boolean isEmpty() {
        return head == tail;
    }

    synchronized int size() {
        return tail - head;
    }

    synchronized EventLogEntry head() {
        return head < tail ? entries[head] : null;
    }

    /** The first {@code limit} entries in (after, latest], in order. */
    synchronized List<EventLogEntry> range(long after, long latest, int limit) {
        int lo = firstAfter(after);
        List<EventLogEntry> out = new ArrayList<>(Math.min(limit, Math.max(0, tail - lo)));
        for (int i = lo; i < tail && out.size() < limit; i++) {
            if (entries[i].sequence() > latest) {
                break;
            }
            out.add(entries[i]);
        }
        return out;
    }

    /** Adds the first {@code limit} entries in (after, latest] to {@code into}. */
    synchronized void take(long after, long latest, int limit, TreeMap<Long, EventLogEntry> into) {
        int lo = firstAfter(after);
        for (int i = lo, n = 0; i < tail && n < limit; i++, n++) {
            EventLogEntry e = entries[i];
            if (e.sequence() > latest) {
                return;
            }
            into.put(e.sequence(), e);
        }
    }

    /** The index of the first entry with a sequence above {@code after}, or {@code tail}; the caller holds the monitor. */
    private int firstAfter(long after) {
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (entries[mid].sequence() <= after) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
