package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.TopicPatterns;
import dev.notify.api.spi.EventLog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link EventLog} over a list, for a stream channel's replay tests: the test
 * {@linkplain #append(EventLogEntry) appends} entries in sequence order and may
 * {@linkplain #pruneThrough(long) mark a prefix as pruned}; reads filter like the store does (the
 * user's own entries and the entries of matching topics, after a sequence, up to a limit) and are
 * counted, so a test can check how a channel pages.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class InMemoryEventLog implements EventLog {

    private final List<EventLogEntry> entries = new CopyOnWriteArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();
    private volatile long prunedThrough;

    /**
     * Appends an entry.
     *
     * @throws IllegalArgumentException if its sequence is not above the last one appended
     */
    public synchronized void append(EventLogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        if (entry.sequence() <= latestSequence()) {
            throw new IllegalArgumentException("sequence " + entry.sequence() + " is not above the latest, " + latestSequence());
        }
        entries.add(entry);
    }

    /**
     * Says that entries up to and including {@code sequence} were pruned: a read after an earlier
     * sequence answers {@link EventLogSlice#pruned()} (the entries stay readable, as in a store
     * whose retention ran between two reads).
     */
    public void pruneThrough(long sequence) {
        this.prunedThrough = sequence;
    }

    /** How many times {@link #readAfter} was called. */
    public int reads() {
        return reads.get();
    }

    @Override
    public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        reads.incrementAndGet();
        List<EventLogEntry> out = new ArrayList<>();
        for (EventLogEntry e : entries) {
            if (out.size() == limit) {
                break;
            }
            if (e.sequence() > afterSequence && visible(e, userId, topics)) {
                out.add(e);
            }
        }
        return new EventLogSlice(out, latestSequence(), afterSequence < prunedThrough);
    }

    private static boolean visible(EventLogEntry e, String userId, Set<String> topics) {
        if (e.audience() instanceof Audience.User) {
            return ((Audience.User) e.audience()).userId().equals(userId);
        }
        String topic = ((Audience.Topic) e.audience()).topic();
        for (String t : topics) {
            if (TopicPatterns.matches(t, topic)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long latestSequence() {
        int n = entries.size();
        return n == 0 ? 0 : entries.get(n - 1).sequence();
    }
}
