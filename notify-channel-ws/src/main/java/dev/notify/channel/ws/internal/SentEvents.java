package dev.notify.channel.ws.internal;

import dev.notify.api.EventLogEntry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one connection sent and what its client acknowledged: the ids of the last events sent (so
 * a replay never sends one twice), the newest of them, and the highest id the client acknowledged.
 *
 * <p>A notification addressed to a user and to a topic reaches a connection of that user twice,
 * as two event-log entries: it is sent once, and the second entry's id is <em>folded</em> into the
 * first, so an {@code ack} of the one sent acknowledges both.
 *
 * <p>Not thread-safe: its connection calls it under its own lock.
 */
final class SentEvents {

    private static final int MAX_FOLDED = 64;

    private final RecentIds sent = new RecentIds();
    private long highestSent;
    private long ackedThrough;
    // the id sent -> the highest id folded into it; allocated on first use
    private Map<Long, Long> folded;
    private String lastNotificationId;
    private long lastSentSeq;

    /**
     * Whether the entry is to be sent: false when this connection sent it already, or when it
     * carries the notification just sent (then it is folded into that one and counts as sent).
     */
    boolean isNew(EventLogEntry e) {
        long seq = e.sequence();
        if (sent.contains(seq)) {
            return false;
        }
        if (e.notification().id().equals(lastNotificationId)) {
            // the same notification reached this connection as a user and as a topic entry: sent once, and an ack of one acks both
            if (folded == null) {
                folded = new LinkedHashMap<>(16, 0.75f, false) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                        return size() > MAX_FOLDED;
                    }
                };
            }
            folded.merge(lastSentSeq, seq, Math::max);
            record(seq);
            return false;
        }
        return true;
    }

    /** The entry's frame was queued. */
    void sent(EventLogEntry e) {
        lastNotificationId = e.notification().id();
        lastSentSeq = e.sequence();
        record(e.sequence());
    }

    private void record(long seq) {
        sent.add(seq);
        highestSent = Math.max(highestSent, seq);
    }

    /** The newest event id sent; 0 when none was. */
    long highestSent() {
        return highestSent;
    }

    /** The highest event id the client acknowledged, or the position it started or resumed from. */
    long ackedThrough() {
        return ackedThrough;
    }

    /** The client starts, or resumes, after this id: it counts as acknowledged. */
    void startAfter(long id) {
        ackedThrough = id;
    }

    /** The client acknowledged every event up to {@code id} that was sent; false (nothing changes) when {@code id} was never sent. */
    boolean ack(long id) {
        if (id > highestSent) {
            return false;
        }
        long through = id;
        if (folded != null) {
            through = Math.max(through, folded.getOrDefault(id, id));
        }
        ackedThrough = Math.max(ackedThrough, through);
        return true;
    }
}
