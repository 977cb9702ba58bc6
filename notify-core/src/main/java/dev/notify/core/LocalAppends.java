package dev.notify.core;

import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.PublishResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event-log entries this node's publishes appended, kept from the publish until the
 * {@link StreamTailer} passes them, so that the tailer hands its own node's entries to the stream
 * channels without reading them back from a durable store. Measured on PostgreSQL: reading every
 * stored entry back (a join per entry and the notification rebuilt from its row) was a quarter of a
 * node's CPU while it ingested a stream, and a round trip on every live push.
 *
 * <p><b>Why it is the log.</b> An entry is added here only once its publish has returned (committed
 * and durable), and nothing can come between sequence {@code p} and {@code p + 1}; so the entries
 * here from the tailer's position on, one sequence after the other, are exactly what
 * {@code NotificationStore#readAll} would return there. At the first sequence missing (another
 * node's append, a quiet-hours re-append, a publish still between its commit and its note here, an
 * entry dropped because this was full, a store whose sequences have gaps) the tailer reads the
 * store as before, and drops what it passed. Both stores here hand out dense sequences, so the
 * store is read only at such gaps.
 *
 * <p>Bounded ({@value #CAPACITY} entries): a tailer far behind reads the store, as without it. Not
 * used with the in-memory store, whose read is as cheap as this. Called by the publisher (adds) and
 * the tailer (takes, drops); calls nothing.
 */
final class LocalAppends {

    static final int CAPACITY = 16_384;

    private final ConcurrentSkipListMap<Long, EventLogEntry> entries = new ConcurrentSkipListMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile long passed;

    /** Notes the entries of committed publishes (duplicates have none). */
    void add(List<PublishResult> results) {
        for (PublishResult r : results) {
            for (EventLogEntry e : r.events()) {
                if (size.get() >= CAPACITY) {
                    return; // the tailer is far behind: it reads the store
                }
                if (entries.putIfAbsent(e.sequence(), e) == null) {
                    size.incrementAndGet();
                    // the tailer may have read past it meanwhile; it drops what it passed, and this drops what it missed
                    if (e.sequence() <= passed && entries.remove(e.sequence()) != null) {
                        size.decrementAndGet();
                    }
                }
            }
        }
    }

    /**
     * Takes the entries right after {@code position}, one sequence after the other, at most
     * {@code limit}; empty when the next one is not here.
     */
    List<EventLogEntry> next(long position, int limit) {
        List<EventLogEntry> out = null;
        long seq = position + 1;
        while (out == null || out.size() < limit) {
            EventLogEntry e = entries.remove(seq);
            if (e == null) {
                break;
            }
            size.decrementAndGet();
            if (out == null) {
                out = new ArrayList<>();
            }
            out.add(e);
            seq++;
        }
        return out == null ? List.of() : out;
    }

    /** Drops the entries at or below {@code position}: the tailer read them from the store. */
    void passed(long position) {
        passed = position;
        for (Long seq : entries.headMap(position, true).keySet()) {
            if (entries.remove(seq) != null) {
                size.decrementAndGet();
            }
        }
    }

    /** How many are kept (for tests). */
    int size() {
        return size.get();
    }
}
