package dev.notify.bench.soak;

import java.util.BitSet;

/**
 * One user of the soak as its client sees it, across every connection it opens: who it is, the
 * topic it subscribes to (if any), the cursor it resumes from, and which numbers of its own and
 * its topic's notifications it has received.
 */
final class Subscriber {

    final int index;
    final String user;
    // its topic's index, or -1 for a user without a topic subscription
    final int topic;
    final String token;
    private final BitSet own = new BitSet();
    private final BitSet topical = new BitSet();

    // the last event id received (the SSE Last-Event-ID, the WebSocket ?after=); null before the first greeting
    volatile String cursor;
    // nanoTime at which the current connection was requested: events published before it were missed while
    // away and arrive by replay, so they are not publish-to-receive samples
    volatile long openedAt;
    volatile boolean greeted;
    // bumped at every (re)connect and drop, so callbacks of an old connection are recognised and ignored
    private int generation;
    // the current connection (an SseStreams.Stream or a java.net.http.WebSocket), null while away
    private Object connection;

    Subscriber(int index, String user, int topic, String token) {
        this.index = index;
        this.user = user;
        this.topic = topic;
        this.token = token;
    }

    String topicName() {
        return topic < 0 ? null : topicName(topic);
    }

    static String topicName(int topic) {
        return "soak:t" + topic;
    }

    /** A new connection is being opened: its generation. */
    synchronized int connecting() {
        openedAt = System.nanoTime();
        return ++generation;
    }

    /** The connection of generation {@code gen} is open (unless it was dropped meanwhile). */
    synchronized void attach(int gen, Object c) {
        if (gen == generation) {
            connection = c;
        }
    }

    /** The client goes away: the current connection, if any, to close; its callbacks are ignored from now on. */
    synchronized Object leave() {
        generation++;
        Object c = connection;
        connection = null;
        return c;
    }

    /** The connection of generation {@code gen} ended by itself: true if it was the current one (the client then reconnects). */
    synchronized boolean lost(int gen) {
        if (gen != generation) {
            return false;
        }
        generation++;
        connection = null;
        return true;
    }

    synchronized boolean isConnected() {
        return connection != null;
    }

    synchronized boolean isCurrent(int gen) {
        return gen == generation;
    }

    /** Records number {@code seq} of its own ({@code toTopic} false) or its topic's notifications. */
    void received(boolean toTopic, int seq, long publishedAtNanos, long nowNanos, Ledger ledger) {
        boolean fresh;
        synchronized (this) {
            BitSet seen = toTopic ? topical : own;
            fresh = !seen.get(seq);
            seen.set(seq);
        }
        if (!fresh) {
            ledger.duplicates.increment();
            return;
        }
        ledger.received.increment();
        if (publishedAtNanos >= openedAt) {
            ledger.streamLatency.add(nowNanos - publishedAtNanos);
        }
    }

    /** Notifications published to it (or its topic) that it has not received. */
    synchronized int missing(Ledger ledger) {
        int m = ledger.missing("u" + index, ledger.publishedToUser(index), own);
        if (topic >= 0) {
            m += ledger.missing("t" + topic, ledger.publishedToTopic(topic), topical);
        }
        return m;
    }
}
