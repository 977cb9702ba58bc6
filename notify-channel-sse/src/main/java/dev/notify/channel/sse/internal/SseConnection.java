package dev.notify.channel.sse.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxStats;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.Subscription;
import dev.notify.stream.ConnectionState;
import dev.notify.stream.FrameQueue;
import dev.notify.stream.StreamConnection;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One SSE stream: what it still has to write, and where it is in its life.
 *
 * <p>Publishing threads call {@link #onEvent} and only queue and try a non-blocking write; when
 * the socket is not ready the container calls {@link #onWritePossible} later. Unwritten frames
 * are bounded by {@link SseSettings#maxBufferedEvents()} and {@link SseSettings#maxBufferedBytes()};
 * a connection over either is dropped (its client resumes from the log).
 *
 * <p>A resuming client is served in three steps so nothing is lost or sent twice (see
 * {@link ConnectionState}): the connection is subscribed to the hub before anything is read, live
 * events are held while the log is replayed page by page (the next page is read only once the
 * previous one is written, so a long replay never sits in memory), and then the held events newer
 * than the replay are released.
 *
 * <p>An idle connection holds a handful of fields: its {@link FrameQueue} allocates a buffer only
 * while two or more frames wait.
 */
public final class SseConnection extends StreamConnection implements Subscriber {

    /** Where the frames go: the servlet response, or a fake in tests. */
    public interface Sink {
        /** Whether a write can be made now without blocking; false means {@link #onWritePossible} follows. */
        boolean isReady();

        /**
         * Writes without blocking (only after {@link #isReady()} said true).
         *
         * @return true when the frame may sit in a buffer and a {@link #flush()} must follow; false
         *         when it was handed to the network as it is
         */
        boolean write(byte[] frame) throws IOException;

        /** Flushes without blocking (only after {@link #isReady()} said true). */
        void flush() throws IOException;

        /** Ends the response. Must be idempotent. */
        void complete();

        /** Runs a task that may block (a replay read) off the calling thread. */
        void execute(Runnable task);
    }

    private enum Next { NOTHING, FETCH, COMPLETE }

    private final SseChannel channel;
    private final Set<String> topics;
    private final long connectedAt;

    // guarded by this
    private final ConnectionState state = new ConnectionState();
    private final FrameQueue<byte[]> queue = FrameQueue.ofBytes();
    private Sink sink;
    private boolean prunedReported;
    private boolean writable;
    private boolean flushNeeded;
    private boolean completing;
    private String lastNotificationId;

    SseConnection(SseChannel channel, String clientId, String userId, Set<String> topics) {
        super(clientId, userId);
        this.channel = channel;
        this.topics = topics;
        this.connectedAt = channel.context().clock().millis();
    }

    /** Remembers the hub registration, to close it with the connection. */
    synchronized void attach(Subscription s) {
        state.attach(s);
    }

    /**
     * Starts the stream: queues the retry hint, {@code connected}, {@code stats} and {@code recent}
     * events, then either replays the log after {@code resumeAfter} or goes live at once.
     *
     * @param logHead the log's newest sequence, read after subscribing: a fresh connection's
     *        {@code connected} event carries it as {@code id:}, so even a client that saw no event
     *        yet resumes without a gap
     */
    void start(Sink s, InboxStats stats, List<InboxItem> recent, OptionalLong resumeAfter, long logHead) {
        boolean fetch;
        Next next;
        synchronized (this) {
            if (state.isClosed()) {
                return;
            }
            this.sink = s;
            if (completing) {
                // shut down between subscribing and starting: only the goodbye comment goes out
                next = drain();
                fetch = false;
            } else {
                fetch = queueGreeting(stats, recent, resumeAfter, logHead);
                next = fetch ? Next.NOTHING : drain();
            }
        }
        if (fetch) {
            fetchPage();
        } else {
            then(next);
        }
    }

    // the greeting; true when a replay must follow
    private boolean queueGreeting(InboxStats stats, List<InboxItem> recent, OptionalLong resumeAfter, long logHead) {
        enqueue(SseFrames.retry(channel.settings().retry().toMillis()));
        Map<String, Object> connected = new LinkedHashMap<>();
        connected.put("clientId", clientId());
        connected.put("userId", userId());
        connected.put("topics", List.copyOf(topics));
        connected.put("timestamp", java.time.Instant.ofEpochMilli(connectedAt).toString());
        connected.put("lastEventId", resumeAfter.orElse(logHead));
        enqueue(SseFrames.event(resumeAfter.isPresent() ? null : Long.toString(logHead), "connected", channel.toJson(connected)));
        enqueue(statsFrame(stats));
        List<Object> items = new ArrayList<>(recent.size());
        for (InboxItem item : recent) {
            Map<String, Object> m = NotificationJson.of(item.notification(), 0);
            m.put("read", item.read());
            items.add(m);
        }
        enqueue(SseFrames.event(null, "recent", channel.toJson(Map.of("notifications", items))));
        if (resumeAfter.isPresent()) {
            state.beginReplay(resumeAfter.getAsLong());
            return state.claimFetch();
        }
        state.goLive(this::enqueueEntry);
        return false;
    }

    /** Reads and queues the next replay page; only one runs at a time (the caller claimed it: {@link ConnectionState#claimFetch()}). */
    void fetchPage() {
        long after;
        synchronized (this) {
            after = state.pageStart();
            if (after < 0) {
                return;
            }
        }
        int pageSize = channel.settings().replayPageSize();
        EventLogSlice slice;
        try {
            slice = channel.context().eventLog().readAfter(after, userId(), topics, pageSize);
        } catch (RuntimeException e) {
            channel.context().logger().log(System.Logger.Level.WARNING, "replay for SSE client " + clientId() + " failed; closing the stream", e);
            close();
            return;
        }
        Next next;
        synchronized (this) {
            if (!state.pageRead()) {
                return;
            }
            if (slice.pruned() && !prunedReported) {
                prunedReported = true;
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("lastEventId", after);
                p.put("message", "events after " + after + " were pruned from the log; reload the inbox to fill the gap");
                enqueue(SseFrames.event(null, "pruned", channel.toJson(p)));
            }
            for (EventLogEntry e : slice.entries()) {
                enqueueEntry(e);
                state.replayed(e.sequence());
            }
            channel.context().metrics().count("notify.sse.replayed", slice.entries().size());
            // caught up only on an empty page: the host may leave not-yet-due entries out of a page, so a short page proves nothing
            if (slice.entries().isEmpty()) {
                state.goLive(this::enqueueEntry);
            }
            next = drain();
        }
        then(next);
    }

    @Override
    public void onEvent(EventLogEntry entry) {
        Next next;
        synchronized (this) {
            if (state.isClosed() || completing || (state.isLive() && !state.isNews(entry))) {
                return;
            }
            if (!state.isLive()) {
                if (state.hold(entry, channel.settings().maxBufferedEvents())) {
                    return;
                }
                next = null;
            } else {
                enqueueEntry(entry);
                if (overLimit()) {
                    next = null;
                } else if (channel.fanOut().defer(this)) {
                    // part of a large fan-out: the channel drains the streams it reached in parallel afterwards
                    return;
                } else {
                    next = drain();
                }
            }
        }
        if (next == null) {
            dropSlowReader();
        } else {
            then(next);
        }
    }

    /** Writes what waits, as far as the socket takes it without blocking. */
    @Override
    public void writeQueued() {
        Next next;
        synchronized (this) {
            next = drain();
        }
        then(next);
    }

    @Override
    public void onSignal(HubSignal signal) {
        Next next;
        synchronized (this) {
            if (state.isClosed() || completing) {
                return;
            }
            if (signal instanceof HubSignal.StatsChanged) {
                enqueue(statsFrame(((HubSignal.StatsChanged) signal).stats()));
                if (overLimit()) {
                    next = null;
                } else {
                    next = drain();
                }
            } else if (signal instanceof HubSignal.ShuttingDown) {
                next = finishWith(SseFrames.comment(((HubSignal.ShuttingDown) signal).reason()));
            } else {
                return;
            }
        }
        if (next == null) {
            dropSlowReader();
        } else {
            then(next);
        }
    }

    /** Queues a heartbeat when nothing else waits (a waiting frame keeps the line busy anyway). */
    void heartbeat() {
        Next next;
        synchronized (this) {
            if (state.isClosed() || completing || sink == null || !queue.isEmpty()) {
                return;
            }
            enqueue(SseFrames.HEARTBEAT);
            next = drain();
        }
        then(next);
    }

    /** The container says the socket can take more. */
    void onWritePossible() {
        Next next;
        synchronized (this) {
            if (state.isClosed()) {
                return;
            }
            writable = true;
            next = drain();
        }
        then(next);
    }

    /** Drops what is queued, writes {@code last} and ends the stream once it is written; under the lock. */
    private Next finishWith(byte[] last) {
        // the client should not hear about events it would miss; a reconnect replays them from the log
        queue.clear();
        state.dropHeld();
        enqueue(last);
        completing = true;
        return drain();
    }

    /** The credential the stream was opened with expired: a final {@code reauthenticate} event, then the end. */
    @Override
    protected void credentialExpired() {
        Next next;
        synchronized (this) {
            if (state.isClosed() || completing) {
                return;
            }
            next = finishWith(SseFrames.event(null, "reauthenticate", "{\"reason\":\"the credential expired; authenticate again\"}"));
        }
        then(next);
    }

    /** Says goodbye with a comment and ends the stream once it is written. */
    void shutdown(String reason) {
        onSignal(new HubSignal.ShuttingDown(reason));
    }

    /** Unsubscribes, drops what is queued and ends the response. Idempotent. */
    void close() {
        Sink s;
        Optional<Subscription> sub;
        synchronized (this) {
            if (state.isClosed()) {
                return;
            }
            sub = state.close();
            queue.clear();
            s = sink;
        }
        sub.ifPresent(Subscription::close);
        channel.fanOut().remove(this);
        if (s != null) {
            s.complete();
        }
    }

    /** Whether the connection has ended. */
    synchronized boolean isClosed() {
        return state.isClosed();
    }

    /** Frames queued and not yet written (for tests and metrics). */
    synchronized int queuedFrames() {
        return queue.count();
    }

    private void dropSlowReader() {
        channel.context().metrics().count("notify.sse.slow.disconnects", 1);
        channel.context().logger().log(System.Logger.Level.INFO, () -> "SSE client " + clientId() + " of user " + userId()
                + " fell too far behind; disconnected it (it resumes from the log)");
        close();
    }

    private void then(Next next) {
        if (next == Next.FETCH) {
            Sink s;
            synchronized (this) {
                s = sink;
            }
            try {
                s.execute(this::fetchPage);
            } catch (RuntimeException e) {
                channel.context().logger().log(System.Logger.Level.WARNING, "cannot continue the replay of SSE client " + clientId(), e);
                close();
            }
        } else if (next == Next.COMPLETE) {
            close();
        }
    }

    // writes what it can without blocking; tells the caller what to do outside the lock
    private Next drain() {
        if (!writable || sink == null || state.isClosed()) {
            return Next.NOTHING;
        }
        try {
            // isReady before each write or flush, as the servlet API asks, and not after the last one:
            // a write the socket could not take shows as not ready at the next drain, which then waits
            // for onWritePossible (a broadcast's frame is one isReady and one write per stream)
            while (flushNeeded || !queue.isEmpty()) {
                if (!sink.isReady()) {
                    writable = false;
                    return Next.NOTHING;
                }
                byte[] frame = queue.poll();
                if (frame != null) {
                    flushNeeded |= sink.write(frame);
                } else {
                    flushNeeded = false;
                    sink.flush();
                }
            }
            if (completing) {
                // the goodbye is ended once the socket took it
                if (!sink.isReady()) {
                    writable = false;
                    return Next.NOTHING;
                }
                return Next.COMPLETE;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away; the async listener may say so too, close() copes with both
            channel.context().logger().log(System.Logger.Level.DEBUG, () -> "SSE client " + clientId() + " write failed: " + e);
            return Next.COMPLETE;
        }
        if (state.claimFetch()) {
            return Next.FETCH;
        }
        return Next.NOTHING;
    }

    private void enqueueEntry(EventLogEntry e) {
        String id = e.notification().id();
        if (id.equals(lastNotificationId)) {
            // the same notification reached this connection as a user and as a topic entry: move the id on, send it once
            enqueue(SseFrames.idOnly(e.sequence()));
            return;
        }
        byte[] frame = channel.fanOut().frameOf(e);
        if (frame == null) {
            return;
        }
        lastNotificationId = id;
        // a reader that is behind gets the newest event of a collapse key, not each one
        queue.add(frame, e.notification().collapseKey().orElse(null));
    }

    private void enqueue(byte[] frame) {
        queue.add(frame);
    }

    private boolean overLimit() {
        return queue.overLimit(channel.settings().maxBufferedEvents(), channel.settings().maxBufferedBytes());
    }

    private byte[] statsFrame(InboxStats stats) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", stats.total());
        m.put("unread", stats.unread());
        m.put("read", stats.read());
        return SseFrames.event(null, "stats", channel.toJson(m));
    }
}
