package dev.notify.channel.ws.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Identity;
import dev.notify.api.InboxStats;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.Subscription;
import dev.notify.stream.ConnectionState;
import dev.notify.stream.FrameQueue;
import dev.notify.stream.StreamConnection;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One WebSocket connection: what it still has to send, where its client is in the event log,
 * and whether the client is still there. What the client's frames ask for is in
 * {@link ClientRequests}; what was sent and acknowledged in {@link SentEvents}.
 *
 * <p><b>Sending.</b> Publishing threads call {@link #onEvent}, which only queues; one frame at a
 * time is handed to the container's asynchronous send, and the next goes when it completes. During
 * a channel fan-out the send is started after the fan-out by the channel (possibly from another
 * thread, see {@link dev.notify.stream.LiveFanOut#defer}); the queue's order is the order frames go out either way.
 * Unsent frames are bounded by {@link WsSettings#maxBufferedEvents()} and
 * {@link WsSettings#maxBufferedBytes()}; a connection over either is closed with 1013 and its
 * client resumes from the log.
 *
 * <p><b>Replay without gaps or duplicates.</b> The connection is subscribed to the hub before the
 * log is read; while a replay runs (from {@code ?after=} or a {@code resume} frame), live events
 * are held, the log is sent page by page (the next page is read once the previous one is sent),
 * and then the held events the replay did not cover are released (see {@link ConnectionState}).
 * Events this connection already sent (the last {@value RecentIds#CAPACITY} are remembered) are
 * never sent again.
 *
 * <p><b>Acknowledgements.</b> {@code ack N} says the client has every event up to id N that this
 * connection sent. The connection keeps the highest such id ({@link #ackedThrough()}); when it
 * closes, the channel remembers it for a while, and a {@code resume} by {@code client_id} replays
 * everything after it: whatever was sent but not acknowledged is sent again.
 *
 * <p><b>Liveness.</b> A connection silent for a ping interval is pinged; one whose ping goes
 * unanswered for the pong timeout is closed ({@link #checkAlive}).
 */
public final class WsConnection extends StreamConnection implements Subscriber {

    /** Where frames go: the WebSocket session, or a fake in tests. */
    public interface Sink {
        /** Sends one text frame without blocking; {@code done} gets null on success or the failure. */
        void send(String text, Consumer<Throwable> done);

        /** Sends a ping frame; may block briefly, so callers run it off shared threads. */
        void ping();

        /** Closes the WebSocket with this code and reason. Idempotent. */
        void close(int code, String reason);

        /** Runs a task that may block (a replay read, a ping) off the calling thread. */
        void execute(Runnable task);
    }

    /** Close codes this channel uses (RFC 6455, section 7.4.1). */
    public static final int GOING_AWAY = 1001;
    /** Policy violation: the connection may not be served (for example, no identity). */
    public static final int POLICY_VIOLATION = 1008;
    /** The client sent a message larger than the configured maximum. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** A temporary condition: too slow, or too many connections; reconnect and resume. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Close code after the final {@code reauthenticate} frame: the credential the connection was opened with expired. */
    public static final int CREDENTIAL_EXPIRED = 4401;
    private static final String EXPIRED = "the credential expired; authenticate again and resume";

    private final WsChannel channel;
    private final Identity identity;

    // guarded by this
    private final ConnectionState state = new ConnectionState();
    private final FrameQueue<String> queue = FrameQueue.ofText();
    private final SentEvents sent = new SentEvents();
    private final Set<String> topics;
    private Sink sink;
    private boolean sending;
    // set by expire(): once the queue is sent, close instead of fetching more
    private boolean expiring;
    // the id of the thread inside sink.send, 0 when none: a primitive, so that marking it stores no reference
    // into this long-lived object (each such store dirties a card that G1 refines, on every broadcast)
    private long pumpThreadId;
    private long replayFrom;
    private int replayed;
    private boolean replayPruned;
    private Object replayRef;
    private long lastHeard;
    private long pingSentAt;

    WsConnection(WsChannel channel, String clientId, Identity identity, Set<String> topics) {
        super(clientId, identity.userId());
        this.channel = channel;
        this.identity = identity;
        this.topics = new LinkedHashSet<>(topics);
        this.lastHeard = channel.context().clock().millis();
    }

    /** The highest event id the client acknowledged (or the position it started from). */
    public synchronized long ackedThrough() {
        return sent.ackedThrough();
    }

    /** The topics currently subscribed. */
    public synchronized Set<String> topics() {
        return Set.copyOf(topics);
    }

    WsChannel channel() {
        return channel;
    }

    Identity identity() {
        return identity;
    }

    /** Remembers the hub registration, to close it with the connection. */
    synchronized void attach(Subscription s) {
        state.attach(s);
    }

    /**
     * Starts the connection: queues {@code connected} and {@code stats}, then replays the log
     * after {@code resumeAfter} or goes live at once (with whatever reached it since it subscribed).
     *
     * @param logHead the log's newest sequence, read after subscribing: a client that acknowledges
     *        nothing resumes after it without a gap
     */
    void start(Sink s, InboxStats stats, OptionalLong resumeAfter, long logHead) {
        synchronized (this) {
            if (state.isClosed()) {
                return;
            }
            this.sink = s;
            sent.startAfter(resumeAfter.orElse(logHead));
            Map<String, Object> connected = new LinkedHashMap<>();
            connected.put("client_id", clientId());
            connected.put("user_id", identity.userId());
            connected.put("topics", List.copyOf(topics));
            connected.put("last_id", logHead);
            connected.put("resume_after", sent.ackedThrough());
            enqueue(channel.frames().control("connected", now(), connected, null));
            enqueue(channel.frames().stats(stats, now()));
            if (resumeAfter.isPresent()) {
                beginReplay(resumeAfter.getAsLong(), null);
            } else {
                state.goLive(this::enqueueHeld);
            }
        }
        pump();
    }

    // ---- hub side ------------------------------------------------------------------------------

    @Override
    public void onEvent(EventLogEntry entry) {
        boolean slow;
        synchronized (this) {
            if (state.isClosed() || (state.isLive() && !state.isNews(entry))) {
                return;
            }
            if (!state.isLive()) {
                slow = !state.hold(entry, channel.settings().maxBufferedEvents());
            } else {
                enqueueEntry(entry);
                slow = overLimit();
            }
        }
        if (slow) {
            dropSlowClient();
        } else if (!channel.fanOut().defer(this)) {
            // outside a large fan-out's batch (or outside any fan-out): start the send here
            pump();
        }
    }

    /** Starts sending what is queued, if no send is in flight (the channel's batched fan-out calls it). */
    @Override
    public void writeQueued() {
        pump();
    }

    @Override
    public void onSignal(HubSignal signal) {
        if (signal instanceof HubSignal.StatsChanged) {
            reply(channel.frames().stats(((HubSignal.StatsChanged) signal).stats(), now()));
        } else if (signal instanceof HubSignal.ShuttingDown) {
            // what is still queued is not sent: a reconnect replays it from the log
            closeWith(GOING_AWAY, ((HubSignal.ShuttingDown) signal).reason());
        }
    }

    // ---- client side (what the frames ask for is in ClientRequests) -----------------------------

    /** A text message from the client. */
    void onText(String text) {
        heard();
        ClientRequests.onText(this, text);
    }

    /** A binary message: not part of the protocol. */
    void onBinary() {
        heard();
        reply(channel.frames().error("binary frames are not supported; send JSON text frames", null, null, now()));
    }

    /** Anything from the client (a message or a pong) shows it is alive. */
    synchronized void heard() {
        lastHeard = channel.context().clock().millis();
        pingSentAt = 0;
    }

    /** Queues a frame answering the client and starts sending it. */
    void reply(String frame) {
        boolean slow;
        synchronized (this) {
            if (state.isClosed()) {
                return;
            }
            enqueue(frame);
            slow = overLimit();
        }
        if (slow) {
            dropSlowClient();
        } else {
            pump();
        }
    }

    /** Adds topics; the topics now, or empty (nothing changed) when there would be more than {@code max-topics}. */
    synchronized Optional<List<String>> addTopics(Collection<String> more) {
        Set<String> next = new LinkedHashSet<>(topics);
        next.addAll(more);
        if (next.size() > channel.settings().maxTopics()) {
            return Optional.empty();
        }
        updateTopics(next);
        return Optional.of(List.copyOf(topics));
    }

    /** Removes topics; the topics now. */
    synchronized List<String> removeTopics(Collection<String> less) {
        Set<String> next = new LinkedHashSet<>(topics);
        next.removeAll(less);
        updateTopics(next);
        return List.copyOf(topics);
    }

    // guarded by this
    private void updateTopics(Set<String> next) {
        if (next.equals(topics)) {
            return;
        }
        topics.clear();
        topics.addAll(next);
        state.subscription().ifPresent(s -> s.updateTopics(Set.copyOf(next)));
    }

    /** The client acknowledged every event up to {@code id}; false when this connection never sent {@code id}. */
    synchronized boolean acknowledge(long id) {
        return sent.ack(id);
    }

    /** The newest event id this connection sent; 0 when none. */
    synchronized long highestSent() {
        return sent.highestSent();
    }

    /**
     * Replays the log after {@code after}, then says {@code resumed} (echoing {@code ref}); false
     * when a replay is already running. The client counts as having acknowledged {@code after}.
     */
    boolean replayAfter(long after, Object ref) {
        synchronized (this) {
            if (state.isClosed()) {
                return true;
            }
            if (state.isReplaying()) {
                return false;
            }
            sent.startAfter(after);
            beginReplay(after, ref);
        }
        pump();
        return true;
    }

    // ---- replay --------------------------------------------------------------------------------

    // guarded by this
    private void beginReplay(long after, Object ref) {
        state.beginReplay(after);
        replayFrom = after;
        replayed = 0;
        replayPruned = false;
        replayRef = ref;
    }

    /** Reads and queues the next replay page; only one runs at a time (the caller claimed it: {@link ConnectionState#claimFetch()}). */
    void fetchPage() {
        long after;
        Set<String> t;
        synchronized (this) {
            after = state.pageStart();
            if (after < 0) {
                return;
            }
            t = Set.copyOf(topics);
        }
        EventLogSlice slice;
        try {
            slice = channel.context().eventLog().readAfter(after, identity.userId(), t, channel.settings().replayPageSize());
        } catch (RuntimeException e) {
            channel.context().logger().log(System.Logger.Level.WARNING, "replay for WebSocket client " + clientId() + " failed; closing it", e);
            closeWith(TRY_AGAIN_LATER, "replay failed; reconnect and resume");
            return;
        }
        synchronized (this) {
            if (!state.pageRead()) {
                return;
            }
            replayPruned |= slice.pruned();
            for (EventLogEntry e : slice.entries()) {
                if (enqueueEntry(e)) {
                    replayed++;
                }
                state.replayed(e.sequence());
            }
            channel.context().metrics().count("notify.ws.replayed", slice.entries().size());
            // caught up only on an empty page: the host may leave not-yet-due entries out of a page, so a short page proves nothing
            if (slice.entries().isEmpty()) {
                goLive();
            }
        }
        pump();
    }

    // guarded by this: releases the events held during the replay that it did not cover, and says the replay is done
    private void goLive() {
        long through = state.replayCursor();
        state.goLive(this::enqueueHeld);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("after", replayFrom);
        d.put("replayed", replayed);
        d.put("last_id", Math.max(through, sent.highestSent()));
        d.put("pruned", replayPruned);
        enqueue(channel.frames().control("resumed", now(), d, replayRef));
        replayRef = null;
    }

    // ---- sending -------------------------------------------------------------------------------

    // hands queued frames to the sink one at a time; a send that completes in this thread continues the loop here
    private void pump() {
        while (true) {
            String frame;
            boolean fetch = false;
            boolean expired;
            synchronized (this) {
                if (sending || state.isClosed() || sink == null) {
                    return;
                }
                frame = queue.poll();
                expired = frame == null && expiring;
                if (frame == null && !expiring) {
                    fetch = state.claimFetch();
                } else {
                    sending = true;
                    pumpThreadId = Thread.currentThread().getId();
                }
            }
            if (expired) {
                closeWith(CREDENTIAL_EXPIRED, EXPIRED);
                return;
            }
            if (frame == null) {
                if (fetch) {
                    try {
                        sink.execute(this::fetchPage);
                    } catch (RuntimeException e) {
                        channel.context().logger().log(System.Logger.Level.WARNING, "cannot continue the replay of WebSocket client " + clientId(), e);
                        closeWith(TRY_AGAIN_LATER, "server busy; reconnect and resume");
                    }
                }
                return;
            }
            try {
                sink.send(frame, this::sent);
            } catch (RuntimeException e) {
                sent(e);
                return;
            }
            synchronized (this) {
                pumpThreadId = 0;
                if (sending) {
                    return; // completes later; sent() continues
                }
            }
        }
    }

    private void sent(Throwable failure) {
        boolean continueHere;
        synchronized (this) {
            sending = false;
            continueHere = pumpThreadId != Thread.currentThread().getId();
        }
        if (failure != null) {
            channel.context().logger().log(System.Logger.Level.DEBUG, () -> "WebSocket client " + clientId() + " send failed: " + failure);
            closeWith(GOING_AWAY, "send failed");
            return;
        }
        if (continueHere) {
            pump();
        }
    }

    // guarded by this; true when the entry was queued (not a duplicate)
    private boolean enqueueEntry(EventLogEntry e) {
        if (!sent.isNew(e)) {
            return false;
        }
        String frame = channel.fanOut().frameOf(e);
        if (frame == null) {
            return false;
        }
        sent.sent(e);
        // a reader that is behind gets the newest event of a collapse key, not each one
        queue.add(frame, e.notification().collapseKey().orElse(null));
        return true;
    }

    private void enqueueHeld(EventLogEntry e) {
        enqueueEntry(e);
    }

    private void enqueue(String frame) {
        queue.add(frame);
    }

    private boolean overLimit() {
        return queue.overLimit(channel.settings().maxBufferedEvents(), channel.settings().maxBufferedBytes());
    }

    private void dropSlowClient() {
        channel.context().metrics().count("notify.ws.slow.disconnects", 1);
        channel.context().logger().log(System.Logger.Level.INFO, () -> "WebSocket client " + clientId() + " of user " + identity.userId()
                + " fell too far behind; closed it (it resumes from the log)");
        closeWith(TRY_AGAIN_LATER, "too slow: send buffer full; reconnect and resume after your last acknowledged id");
    }

    // ---- liveness and closing ------------------------------------------------------------------

    /** Pings a connection silent for a ping interval; closes one whose ping went unanswered for the pong timeout. */
    void checkAlive(long nowMillis) {
        boolean ping = false;
        boolean dead = false;
        Sink s;
        synchronized (this) {
            if (state.isClosed() || sink == null) {
                return;
            }
            s = sink;
            if (pingSentAt != 0) {
                dead = nowMillis - pingSentAt >= channel.settings().pongTimeout().toMillis();
            } else if (nowMillis - lastHeard >= channel.settings().pingInterval().toMillis()) {
                pingSentAt = nowMillis;
                ping = true;
            }
        }
        if (dead) {
            channel.context().metrics().count("notify.ws.dead.disconnects", 1);
            closeWith(GOING_AWAY, "no pong within " + channel.settings().pongTimeout().toMillis() + " ms");
        } else if (ping) {
            s.execute(() -> {
                try {
                    s.ping();
                } catch (RuntimeException e) {
                    closeWith(GOING_AWAY, "ping failed");
                }
            });
        }
    }

    /**
     * The credential the connection was opened with expired: what is queued is still sent, then a
     * final {@code reauthenticate} frame, then the socket closes with {@value #CREDENTIAL_EXPIRED};
     * the client gets a fresh credential and resumes from its last id.
     */
    @Override
    protected void credentialExpired() {
        synchronized (this) {
            if (state.isClosed() || expiring) {
                return;
            }
            expiring = true;
            enqueue(channel.frames().control("reauthenticate", now(), java.util.Map.of("reason", EXPIRED), null));
        }
        pump();
    }

    /** Closes the WebSocket with this code and reason, unsubscribes, and remembers where the client was. Idempotent. */
    void closeWith(int code, String reason) {
        Sink s = closed();
        if (s != null) {
            s.close(code, reason);
        }
    }

    /** The client or the container closed the socket. Idempotent. */
    void onClosed() {
        closed();
    }

    /** Whether the connection has ended. */
    synchronized boolean isClosed() {
        return state.isClosed();
    }

    /** Frames queued and not yet handed to the socket (for tests). */
    synchronized int queuedFrames() {
        return queue.count();
    }

    // unsubscribes and forgets what is queued; returns the sink to close, or null when already closed
    private Sink closed() {
        Sink s;
        Optional<Subscription> sub;
        long acked;
        Set<String> t;
        synchronized (this) {
            if (state.isClosed()) {
                return null;
            }
            boolean started = state.phase() != ConnectionState.Phase.STARTING || sink != null;
            sub = state.close();
            queue.clear();
            s = sink;
            acked = started ? sent.ackedThrough() : -1;
            t = Set.copyOf(topics);
        }
        sub.ifPresent(Subscription::close);
        channel.remove(this, acked, t);
        return s;
    }

    Instant now() {
        return channel.context().clock().instant();
    }
}
