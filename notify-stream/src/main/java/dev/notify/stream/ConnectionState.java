package dev.notify.stream;

import dev.notify.api.Api;
import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a stream connection is in its life, the hub registration it closes at the end, and the
 * live events it holds while the event log is replayed to it.
 *
 * <p>A resuming client is served so that nothing is lost or sent twice: the connection is
 * subscribed to the hub before anything is read ({@link Phase#STARTING}), live events are
 * {@linkplain #hold held} while the log is replayed page by page ({@link Phase#REPLAYING}; one
 * page is read at a time, see {@link #claimFetch()}), and {@link #goLive} then releases the held
 * events newer than the replay ({@link Phase#LIVE}).
 *
 * <p>Not thread-safe: its connection calls it under its own lock.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public final class ConnectionState {

    /** A connection's phases, in order; a replay may also begin again once live. */
    public enum Phase {
        /** Subscribed to the hub, not yet started: live events are held. */
        STARTING,
        /** Replaying the event log: live events are held. */
        REPLAYING,
        /** Live events go out as they come. */
        LIVE,
        /** Ended; nothing goes out any more. */
        CLOSED
    }

    private Phase phase = Phase.STARTING;
    private Subscription subscription;
    private List<EventLogEntry> held;
    private long replayCursor;
    private boolean fetching;
    // the newest sequence the client has had, through the replay or live
    private long covered = -1;

    /** The current phase. */
    public Phase phase() {
        return phase;
    }

    /** Whether the connection has ended. */
    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    /** Whether live events go out as they come. */
    public boolean isLive() {
        return phase == Phase.LIVE;
    }

    /** Whether the log is being replayed. */
    public boolean isReplaying() {
        return phase == Phase.REPLAYING;
    }

    /** Remembers the hub registration, to close it with the connection; closes it at once when the connection already ended. */
    public void attach(Subscription s) {
        if (phase == Phase.CLOSED) {
            s.close();
            return;
        }
        this.subscription = s;
    }

    /** The hub registration, once attached and until the connection ends. */
    public Optional<Subscription> subscription() {
        return Optional.ofNullable(subscription);
    }

    /**
     * Holds a live event that came before the connection went live.
     *
     * @return false when more than {@code max} events are held: the reader is too slow
     */
    public boolean hold(EventLogEntry e, int max) {
        if (held == null) {
            held = new ArrayList<>();
        }
        held.add(e);
        return held.size() <= max;
    }

    /** Forgets the held events (the connection is going away; its client resumes from the log). */
    public void dropHeld() {
        held = null;
    }

    /** Starts replaying the log after {@code after}; no page is being read yet. */
    public void beginReplay(long after) {
        phase = Phase.REPLAYING;
        replayCursor = after;
        fetching = false;
    }

    /** The newest sequence the replay has covered (where it started, before the first page). */
    public long replayCursor() {
        return replayCursor;
    }

    /** True, and marks a page read as running, when the replay wants its next page and none is being read. */
    public boolean claimFetch() {
        if (phase == Phase.REPLAYING && !fetching) {
            fetching = true;
            return true;
        }
        return false;
    }

    /** The position the claimed page reads after; -1, releasing the claim, when the replay is over. */
    public long pageStart() {
        if (phase != Phase.REPLAYING) {
            fetching = false;
            return -1;
        }
        return replayCursor;
    }

    /** The claimed page was read: releases the claim; false when the replay ended meanwhile (drop the page). */
    public boolean pageRead() {
        fetching = false;
        return phase == Phase.REPLAYING;
    }

    /** A replayed entry was queued: the replay now covers it. */
    public void replayed(long sequence) {
        replayCursor = Math.max(replayCursor, sequence);
    }

    /** Goes live and hands {@code release} the held events that the replay (if any) did not cover, in arrival order. */
    public void goLive(Consumer<EventLogEntry> release) {
        long through = phase == Phase.REPLAYING ? replayCursor : -1;
        covered = Math.max(covered, through);
        phase = Phase.LIVE;
        List<EventLogEntry> h = held;
        held = null;
        if (h != null) {
            for (EventLogEntry e : h) {
                if (e.sequence() > through) {
                    covered = Math.max(covered, e.sequence());
                    release.accept(e);
                }
            }
        }
    }

    /**
     * Whether a live entry is news to the client, noting it when it is: false for one at or below
     * what the replay or earlier live entries covered. A node whose tailer lags behind the log (under
     * a per-user cluster signal, a node hears nothing of a user until that user connects to it)
     * pushes such entries after the replay already sent them. An entry of a scheduled notification
     * goes out when due, after later ones, and always passes.
     */
    public boolean isNews(EventLogEntry e) {
        if (e.sequence() > covered) {
            covered = e.sequence();
            return true;
        }
        return e.notification().scheduledAt().isPresent();
    }

    /**
     * Ends the connection: forgets the held events and returns the hub registration for the caller
     * to close outside its lock; empty when there is none or the connection had already ended.
     */
    public Optional<Subscription> close() {
        if (phase == Phase.CLOSED) {
            return Optional.empty();
        }
        phase = Phase.CLOSED;
        held = null;
        Subscription s = subscription;
        subscription = null;
        return Optional.ofNullable(s);
    }
}
