package dev.notify.channel.ws.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Identity;
import dev.notify.api.InboxStats;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.Subscription;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One WebSocket connection: what it still has to send, where its client is in the event log,
 * and what the client asked for.
 *
 * <p><b>Sending.</b> Publishing threads call {@link #onEvent}, which only queues; one frame at a
 * time is handed to the container's asynchronous send, and the next goes when it completes. During
 * a channel fan-out the send is started after the fan-out by the channel (possibly from another
 * thread, see {@link WsChannel#deferSend}); the queue's order is the order frames go out either way.
 * Unsent frames are bounded by {@link WsSettings#maxBufferedEvents()} and
 * {@link WsSettings#maxBufferedBytes()}; a connection over either is closed with 1013 and its
 * client resumes from the log.
 *
 * <p><b>Replay without gaps or duplicates.</b> The connection is subscribed to the hub before the
 * log is read; while a replay runs (from {@code ?after=} or a {@code resume} frame), live events
 * are held, the log is sent page by page (the next page is read once the previous one is sent),
 * and then the held events the replay did not cover are released. Events this connection already
 * sent (the last {@value RecentIds#CAPACITY} are remembered) are never sent again.
 *
 * <p><b>Acknowledgements.</b> {@code ack N} says the client has every event up to id N that this
 * connection sent. The connection keeps the highest such id ({@link #ackedThrough()}); when it
 * closes, the channel remembers it for a while, and a {@code resume} by {@code client_id} replays
 * everything after it: whatever was sent but not acknowledged is sent again.
 */
public final class WsConnection implements Subscriber {

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

    private enum Phase { STARTING, REPLAYING, LIVE, CLOSED }

    private final WsChannel channel;
    private final String clientId;
    private final Identity identity;

    // guarded by this
    private Phase phase = Phase.STARTING;
    private Sink sink;
    private Subscription subscription;
    private final Set<String> topics;
    // the unsent frames: the oldest in head, any others in tail (allocated only when two or more wait)
    private String head;
    private ArrayDeque<String> tail;
    private int queued;
    private long queuedChars;
    private boolean sending;
    // the id of the thread inside sink.send, 0 when none: a primitive, so that marking it stores no reference
    // into this long-lived object (each such store dirties a card that G1 refines, on every broadcast)
    private long pumpThreadId;
    private List<EventLogEntry> held;
    private long replayCursor;
    private long replayFrom;
    private int replayed;
    private boolean replayPruned;
    private Object replayRef;
    private boolean fetching;
    private final RecentIds sent = new RecentIds();
    private long highestSent;
    private long ackedThrough;
    private Map<Long, Long> folded;
    private String lastNotificationId;
    private long lastSentSeq;
    private long lastHeard;
    private long pingSentAt;

    WsConnection(WsChannel channel, String clientId, Identity identity, Set<String> topics) {
        this.channel = channel;
        this.clientId = clientId;
        this.identity = identity;
        this.topics = new LinkedHashSet<>(topics);
        this.lastHeard = channel.clock().millis();
    }

    /** The connection's client id. */
    public String clientId() {
        return clientId;
    }

    /** The connection's user. */
    public String userId() {
        return identity.userId();
    }

    /** The highest event id the client acknowledged (or the position it started from). */
    public synchronized long ackedThrough() {
        return ackedThrough;
    }

    /** The topics currently subscribed. */
    public synchronized Set<String> topics() {
        return Set.copyOf(topics);
    }

    /** Remembers the hub registration, to close it with the connection. */
    synchronized void attach(Subscription s) {
        if (phase == Phase.CLOSED) {
            s.close();
            return;
        }
        this.subscription = s;
    }

    /**
     * Starts the connection: queues {@code connected} and {@code stats}, then replays the log
     * after {@code resumeAfter} or goes live at once.
     *
     * @param logHead the log's newest sequence, read after subscribing: a client that acknowledges
     *        nothing resumes after it without a gap
     */
    void start(Sink s, InboxStats stats, OptionalLong resumeAfter, long logHead) {
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            this.sink = s;
            ackedThrough = resumeAfter.orElse(logHead);
            Map<String, Object> connected = new LinkedHashMap<>();
            connected.put("client_id", clientId);
            connected.put("user_id", identity.userId());
            connected.put("topics", List.copyOf(topics));
            connected.put("last_id", logHead);
            connected.put("resume_after", ackedThrough);
            enqueue(channel.frames().control("connected", now(), connected, null));
            enqueue(channel.frames().stats(stats, now()));
            if (resumeAfter.isPresent()) {
                beginReplay(resumeAfter.getAsLong(), null);
            } else {
                phase = Phase.LIVE;
            }
        }
        pump();
    }

    // ---- hub side ------------------------------------------------------------------------------

    @Override
    public void onEvent(EventLogEntry entry) {
        boolean slow;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (phase != Phase.LIVE) {
                if (held == null) {
                    held = new ArrayList<>();
                }
                held.add(entry);
                slow = held.size() > channel.settings().maxBufferedEvents();
            } else {
                enqueueEntry(entry);
                slow = overLimit();
            }
        }
        if (slow) {
            dropSlowClient();
        } else if (!channel.deferSend(this)) {
            // outside a large fan-out's batch (or outside any fan-out): start the send here
            pump();
        }
    }

    /** Starts sending what is queued, if no send is in flight (the channel's batched fan-out calls it). */
    void sendQueued() {
        pump();
    }

    @Override
    public void onSignal(HubSignal signal) {
        if (signal instanceof HubSignal.StatsChanged) {
            boolean slow;
            synchronized (this) {
                if (phase == Phase.CLOSED) {
                    return;
                }
                enqueue(channel.frames().stats(((HubSignal.StatsChanged) signal).stats(), now()));
                slow = overLimit();
            }
            if (slow) {
                dropSlowClient();
            } else {
                pump();
            }
        } else if (signal instanceof HubSignal.ShuttingDown) {
            // what is still queued is not sent: a reconnect replays it from the log
            closeWith(GOING_AWAY, ((HubSignal.ShuttingDown) signal).reason());
        }
    }

    // ---- client side ---------------------------------------------------------------------------

    /** A text message from the client: parsed, checked and acted on; a bad one is answered with an {@code error} frame. */
    void onText(String text) {
        heard();
        ClientFrame frame;
        try {
            Map<String, Object> json;
            try {
                json = channel.json().parseObject(text);
            } catch (RuntimeException e) {
                throw new ClientFrame.BadFrame("the frame is not a JSON object: " + firstLine(e.getMessage()), null, null);
            }
            frame = ClientFrame.of(json, channel.settings().maxTopics());
            handle(frame);
        } catch (ClientFrame.BadFrame e) {
            reply(channel.frames().error(e.getMessage(), e.frameType(), e.ref(), now()));
        }
    }

    /** A binary message: not part of the protocol. */
    void onBinary() {
        heard();
        reply(channel.frames().error("binary frames are not supported; send JSON text frames", null, null, now()));
    }

    /** Anything from the client (a message or a pong) shows it is alive. */
    synchronized void heard() {
        lastHeard = channel.clock().millis();
        pingSentAt = 0;
    }

    private void handle(ClientFrame frame) {
        if (frame instanceof ClientFrame.Ping) {
            reply(channel.frames().control("pong", now(), Map.of(), frame.ref()));
        } else if (frame instanceof ClientFrame.Subscribe) {
            subscribe((ClientFrame.Subscribe) frame);
        } else if (frame instanceof ClientFrame.Unsubscribe) {
            unsubscribe((ClientFrame.Unsubscribe) frame);
        } else if (frame instanceof ClientFrame.Ack) {
            ack((ClientFrame.Ack) frame);
        } else if (frame instanceof ClientFrame.Resume) {
            resume((ClientFrame.Resume) frame);
        } else if (frame instanceof ClientFrame.MarkRead) {
            markRead((ClientFrame.MarkRead) frame);
        }
    }

    private void subscribe(ClientFrame.Subscribe f) {
        for (String t : f.topics()) {
            if (!identity.mayRead(t)) {
                throw new ClientFrame.BadFrame("topic '" + t + "' is not granted to this user's token; nothing was subscribed",
                        "subscribe", f.ref());
            }
        }
        List<String> now;
        synchronized (this) {
            Set<String> next = new LinkedHashSet<>(topics);
            next.addAll(f.topics());
            if (next.size() > channel.settings().maxTopics()) {
                throw new ClientFrame.BadFrame("at most " + channel.settings().maxTopics() + " topics may be subscribed on one connection",
                        "subscribe", f.ref());
            }
            updateTopics(next);
            now = List.copyOf(topics);
        }
        reply(channel.frames().control("subscribed", now(), Map.of("topics", now), f.ref()));
    }

    private void unsubscribe(ClientFrame.Unsubscribe f) {
        List<String> now;
        synchronized (this) {
            Set<String> next = new LinkedHashSet<>(topics);
            next.removeAll(f.topics());
            updateTopics(next);
            now = List.copyOf(topics);
        }
        reply(channel.frames().control("unsubscribed", now(), Map.of("topics", now), f.ref()));
    }

    // guarded by this
    private void updateTopics(Set<String> next) {
        if (next.equals(topics)) {
            return;
        }
        topics.clear();
        topics.addAll(next);
        if (subscription != null) {
            subscription.updateTopics(Set.copyOf(next));
        }
    }

    private void ack(ClientFrame.Ack f) {
        synchronized (this) {
            if (f.id() > highestSent) {
                throw new ClientFrame.BadFrame("ack " + f.id() + " is ahead of the newest event this connection sent ("
                        + (highestSent == 0 ? "none yet" : Long.toString(highestSent)) + ")", "ack", f.ref());
            }
            long id = f.id();
            if (folded != null) {
                id = Math.max(id, folded.getOrDefault(id, id));
            }
            ackedThrough = Math.max(ackedThrough, id);
        }
    }

    private void resume(ClientFrame.Resume f) {
        long after;
        if (f.after().isPresent()) {
            after = f.after().getAsLong();
        } else {
            ResumeLedger.Position p = channel.ledger().take(f.clientId().get(), identity.userId(), channel.clock().millis()).orElseThrow(() ->
                    new ClientFrame.BadFrame("client_id '" + ClientFrame.Parse.printable(f.clientId().get())
                            + "' is unknown or expired; resume with \"after\" (the last event id you have) instead", "resume", f.ref()));
            after = p.ackedThrough();
            Set<String> granted = new LinkedHashSet<>();
            for (String t : p.topics()) {
                if (identity.mayRead(t)) {
                    granted.add(t);
                }
            }
            synchronized (this) {
                Set<String> next = new LinkedHashSet<>(topics);
                next.addAll(granted);
                if (next.size() <= channel.settings().maxTopics()) {
                    updateTopics(next);
                }
            }
        }
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (phase == Phase.REPLAYING) {
                throw new ClientFrame.BadFrame("a replay is already running on this connection; wait for its resumed frame", "resume", f.ref());
            }
            ackedThrough = after;
            beginReplay(after, f.ref());
        }
        pump();
    }

    private void markRead(ClientFrame.MarkRead f) {
        int n;
        try {
            n = f.all() ? channel.inbox().markAllRead(identity.userId()) : channel.inbox().mark(identity.userId(), f.ids(), true);
        } catch (RuntimeException e) {
            channel.logger().log(System.Logger.Level.WARNING, "mark_read of WebSocket client " + clientId + " failed", e);
            throw new ClientFrame.BadFrame("the inbox could not be updated: " + firstLine(e.getMessage()), "mark_read", f.ref());
        }
        // the inbox pushes the new stats to every connection of the user, this one included
        reply(channel.frames().control("marked", now(), Map.of("updated", n), f.ref()));
    }

    private void reply(String frame) {
        boolean slow;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
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

    // ---- replay --------------------------------------------------------------------------------

    // guarded by this
    private void beginReplay(long after, Object ref) {
        phase = Phase.REPLAYING;
        replayFrom = after;
        replayCursor = after;
        replayed = 0;
        replayPruned = false;
        replayRef = ref;
        fetching = false;
    }

    /** Reads and queues the next replay page; only one runs at a time (the caller set {@code fetching}). */
    void fetchPage() {
        long after;
        Set<String> t;
        synchronized (this) {
            if (phase != Phase.REPLAYING) {
                fetching = false;
                return;
            }
            after = replayCursor;
            t = Set.copyOf(topics);
        }
        EventLogSlice slice;
        try {
            slice = channel.eventLog().readAfter(after, identity.userId(), t, channel.settings().replayPageSize());
        } catch (RuntimeException e) {
            channel.logger().log(System.Logger.Level.WARNING, "replay for WebSocket client " + clientId + " failed; closing it", e);
            closeWith(TRY_AGAIN_LATER, "replay failed; reconnect and resume");
            return;
        }
        synchronized (this) {
            fetching = false;
            if (phase != Phase.REPLAYING) {
                return;
            }
            replayPruned |= slice.pruned();
            for (EventLogEntry e : slice.entries()) {
                if (enqueueEntry(e)) {
                    replayed++;
                }
                replayCursor = Math.max(replayCursor, e.sequence());
            }
            channel.metrics().count("notify.ws.replayed", slice.entries().size());
            // caught up only on an empty page: the host may leave not-yet-due entries out of a page, so a short page proves nothing
            if (slice.entries().isEmpty()) {
                goLive();
            }
        }
        pump();
    }

    // guarded by this: releases the events held during the replay that it did not cover, and says the replay is done
    private void goLive() {
        long through = replayCursor;
        phase = Phase.LIVE;
        List<EventLogEntry> h = held;
        held = null;
        if (h != null) {
            for (EventLogEntry e : h) {
                if (e.sequence() > through) {
                    enqueueEntry(e);
                }
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("after", replayFrom);
        d.put("replayed", replayed);
        d.put("last_id", Math.max(through, highestSent));
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
            synchronized (this) {
                if (sending || phase == Phase.CLOSED || sink == null) {
                    return;
                }
                frame = poll();
                if (frame == null) {
                    if (phase == Phase.REPLAYING && !fetching) {
                        fetching = true;
                        fetch = true;
                    }
                } else {
                    sending = true;
                    pumpThreadId = Thread.currentThread().getId();
                }
            }
            if (frame == null) {
                if (fetch) {
                    try {
                        sink.execute(this::fetchPage);
                    } catch (RuntimeException e) {
                        channel.logger().log(System.Logger.Level.WARNING, "cannot continue the replay of WebSocket client " + clientId, e);
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
            channel.logger().log(System.Logger.Level.DEBUG, () -> "WebSocket client " + clientId + " send failed: " + failure);
            closeWith(GOING_AWAY, "send failed");
            return;
        }
        if (continueHere) {
            pump();
        }
    }

    // guarded by this; true when the entry was queued (not a duplicate)
    private boolean enqueueEntry(EventLogEntry e) {
        long seq = e.sequence();
        if (sent.contains(seq)) {
            return false;
        }
        String id = e.notification().id();
        if (id.equals(lastNotificationId)) {
            // the same notification reached this connection as a user and as a topic entry: sent once, and an ack of one acks both
            if (folded == null) {
                folded = new LinkedHashMap<>(16, 0.75f, false) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                        return size() > 64;
                    }
                };
            }
            folded.merge(lastSentSeq, seq, Math::max);
            sent.add(seq);
            highestSent = Math.max(highestSent, seq);
            return false;
        }
        String frame = channel.frameOf(e);
        if (frame == null) {
            return false;
        }
        lastNotificationId = id;
        lastSentSeq = seq;
        sent.add(seq);
        highestSent = Math.max(highestSent, seq);
        enqueue(frame);
        return true;
    }

    private void enqueue(String frame) {
        if (head == null) {
            head = frame;
        } else {
            if (tail == null) {
                tail = new ArrayDeque<>(4);
            }
            tail.add(frame);
        }
        queued++;
        queuedChars += frame.length();
    }

    // guarded by this: the oldest unsent frame, removed from the queue; null when none
    private String poll() {
        String frame = head;
        if (frame == null) {
            return null;
        }
        if (tail != null) {
            head = tail.poll();
            if (tail.isEmpty()) {
                tail = null;
            }
        } else {
            head = null;
        }
        queued--;
        queuedChars -= frame.length();
        return frame;
    }

    // guarded by this
    private void clearQueue() {
        head = null;
        tail = null;
        queued = 0;
        queuedChars = 0;
    }

    // one frame always fits, however large, so a big notification alone never disconnects a client
    private boolean overLimit() {
        return queued > 1 && (queued > channel.settings().maxBufferedEvents() || queuedChars > channel.settings().maxBufferedBytes());
    }

    private void dropSlowClient() {
        channel.metrics().count("notify.ws.slow.disconnects", 1);
        channel.logger().log(System.Logger.Level.INFO, () -> "WebSocket client " + clientId + " of user " + identity.userId()
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
            if (phase == Phase.CLOSED || sink == null) {
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
            channel.metrics().count("notify.ws.dead.disconnects", 1);
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
        return phase == Phase.CLOSED;
    }

    /** Frames queued and not yet handed to the socket (for tests). */
    synchronized int queuedFrames() {
        return queued;
    }

    // unsubscribes and forgets what is queued; returns the sink to close, or null when already closed
    private Sink closed() {
        Sink s;
        Subscription sub;
        long acked;
        Set<String> t;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return null;
            }
            boolean started = phase != Phase.STARTING || sink != null;
            phase = Phase.CLOSED;
            clearQueue();
            held = null;
            s = sink;
            sub = subscription;
            acked = started ? ackedThrough : -1;
            t = Set.copyOf(topics);
        }
        if (sub != null) {
            sub.close();
        }
        channel.remove(this, acked, t);
        return s;
    }

    private Instant now() {
        return channel.clock().instant();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * The ids of the last events sent, so a replay never sends one twice; allocated on first use.
     *
     * <p>Primitive arrays only: a broadcast adds one id to every connection's set, and a boxed
     * {@code Long} in a {@code HashSet} meant two allocations per connection per event and a
     * young reference stored into a long-lived table (a dirtied card for G1 to refine). Ids are
     * event-log sequences, so never 0, which marks a free slot of the open-addressing table.
     */
    static final class RecentIds {
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
}
