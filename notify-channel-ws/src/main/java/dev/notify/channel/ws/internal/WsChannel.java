package dev.notify.channel.ws.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Identity;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.Metrics;
import dev.notify.channel.ws.WsChannelProvider;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code ws} channel: fans each notification's event-log entries out to the live WebSocket
 * connections through the hub, pings idle ones, and serves the endpoint when the host has HTTP.
 */
public final class WsChannel implements Channel {

    // fan-outs reaching fewer connections are sent by the delivering thread alone; a writer thread joins at this
    // many and one more at every further multiple, up to one sending thread per core, the delivering thread included
    static final int PARALLEL_FAN_OUT = 512;
    // the connections of a fan-out are handed to the senders in chunks of this many
    static final int CHUNK = 64;
    private static final int WRITERS = Math.max(1, Runtime.getRuntime().availableProcessors());
    // the current thread's fan-out, while it runs
    private static final ThreadLocal<FanOut> FAN_OUT = new ThreadLocal<>();

    private final ChannelContext context;
    private final WsSettings settings;
    private final WsFrames frames;
    private final ResumeLedger ledger;
    private final Set<WsConnection> connections = ConcurrentHashMap.newKeySet();
    // a broadcast encodes its frame once, however many connections it reaches
    private final Map<EventLogEntry, EncodedFrame> inFlight = new ConcurrentHashMap<>();
    // replay reads, pings and closes may block; they never run on the host's scheduler or a publishing thread
    private final ExecutorService blocking;
    private final ScheduledFuture<?> liveness;
    private volatile boolean closed;
    // started by the first fan-out large enough to split
    private ExecutorService writers;

    /** A channel with these settings; registers the endpoint when the context has a web registry. */
    public WsChannel(ChannelContext context, WsSettings settings) {
        this.context = context;
        this.settings = settings;
        this.frames = new WsFrames(context.json());
        this.ledger = new ResumeLedger(settings.resumeLedgerSize(), settings.resumeTtl().toMillis());
        this.blocking = blockingExecutor();
        long every = Math.max(100, Math.min(settings.pingInterval().toMillis(), settings.pongTimeout().toMillis()) / 2);
        this.liveness = context.scheduler().scheduleAtFixedRate(this::checkAll, every, every, TimeUnit.MILLISECONDS);
        context.metrics().gauge("notify.stream.connections", connections::size, "channel", WsChannelProvider.NAME);
        context.web().ifPresent(web -> WsWeb.register(web, this));
    }

    private static ExecutorService blockingExecutor() {
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "notify-ws-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public String name() {
        return WsChannelProvider.NAME;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.STREAM;
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        int reached = 0;
        for (EventLogEntry e : delivery.events()) {
            inFlight.put(e, new EncodedFrame(this, e));
            FanOut fanOut = new FanOut();
            FAN_OUT.set(fanOut);
            try {
                reached += context.hub().fanOut(WsChannelProvider.NAME, e);
            } finally {
                FAN_OUT.remove();
                inFlight.remove(e);
                // what the fan-out queued is sent even if it stopped half-way
                fanOut.finish();
            }
        }
        context.metrics().count("notify.stream.fanout", reached, "channel", WsChannelProvider.NAME);
        return DeliveryResult.sent();
    }

    /**
     * Called by a connection that queued a frame during {@link #deliver}'s fan-out: true when the
     * channel starts its send (with the other connections the fan-out reached), false when the
     * connection should start it at once.
     */
    boolean deferSend(WsConnection c) {
        FanOut f = FAN_OUT.get();
        if (f == null) {
            return false;
        }
        f.add(c);
        return true;
    }

    private void sendAll(WsConnection[] chunk, int n) {
        for (int i = 0; i < n; i++) {
            WsConnection c = chunk[i];
            try {
                c.sendQueued();
            } catch (RuntimeException e) {
                logger().log(System.Logger.Level.WARNING, "send to WebSocket client " + c.clientId() + " failed", e);
            }
        }
    }

    /**
     * The sends of one fan-out. Starting a send goes through the container one connection at a
     * time (and writes in the calling thread when the socket has room), so a large fan-out is
     * sent by several threads: the connections are handed out in chunks of {@value #CHUNK} as the
     * hub reaches them. Writers start once the fan-out has reached {@value #PARALLEL_FAN_OUT}
     * connections and send while the hub is still fanning out; the delivering thread sends the last
     * chunk and then takes whatever chunks no writer has taken yet, so no share waits for a thread
     * that is not running. Each connection is in one chunk, and sends its own queue in order,
     * one frame at a time, whichever thread starts it.
     */
    private final class FanOut {
        // filled by the delivering thread only
        private WsConnection[] filling = new WsConnection[CHUNK];
        private int filled;
        private int reached;
        private int writers;
        // guarded by this: full chunks no thread has taken yet; done once the hub's fan-out ended
        private final ArrayDeque<WsConnection[]> ready = new ArrayDeque<>();
        private boolean done;

        void add(WsConnection c) {
            filling[filled++] = c;
            reached++;
            if (filled == CHUNK) {
                WsConnection[] full = filling;
                filling = new WsConnection[CHUNK];
                filled = 0;
                if (reached % PARALLEL_FAN_OUT == 0 && writers < WRITERS - 1 && !closed && startWriter(full)) {
                    return;
                }
                synchronized (this) {
                    ready.add(full);
                    notifyAll();
                }
            }
        }

        // a new writer gets its first chunk to itself, then takes from the shared ones
        private boolean startWriter(WsConnection[] first) {
            try {
                writers().execute(() -> {
                    sendAll(first, first.length);
                    takeAndSend();
                });
                writers++;
                return true;
            } catch (RejectedExecutionException e) {
                // closing: this thread sends everything
                return false;
            }
        }

        /** The hub's fan-out ended: sends the last chunk and whatever no writer has taken. */
        void finish() {
            synchronized (this) {
                done = true;
                notifyAll();
            }
            sendAll(filling, filled);
            takeAndSend();
        }

        private void takeAndSend() {
            WsConnection[] chunk;
            while ((chunk = take()) != null) {
                sendAll(chunk, chunk.length);
            }
        }

        // the next chunk; writers wait for one while the fan-out runs; null once none is left
        private synchronized WsConnection[] take() {
            while (true) {
                WsConnection[] chunk = ready.poll();
                if (chunk != null || done) {
                    return chunk;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    // the pool is shutting down: the delivering thread sends the rest
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    private synchronized ExecutorService writers() {
        if (writers == null) {
            AtomicInteger n = new AtomicInteger();
            writers = Executors.newFixedThreadPool(WRITERS, r -> {
                Thread t = new Thread(r, "notify-ws-writer-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return writers;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        liveness.cancel(false);
        for (WsConnection c : connections) {
            c.closeWith(WsConnection.GOING_AWAY, "server shutting down");
        }
        synchronized (this) {
            if (writers != null) {
                writers.shutdown();
            }
        }
        blocking.shutdown();
        try {
            // let the close frames go out before the container stops
            blocking.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** The live connections of this channel. */
    public int connectionCount() {
        return connections.size();
    }

    /** A new connection of this user on these topics; the caller subscribes it to the hub. */
    WsConnection newConnection(Identity identity, Set<String> topics) {
        WsConnection c = new WsConnection(this, "ws-" + UUID.randomUUID(), identity, topics);
        connections.add(c);
        return c;
    }

    /** Forgets a closed connection and remembers where its client was (unless it never started). */
    void remove(WsConnection c, long ackedThrough, Set<String> topics) {
        connections.remove(c);
        if (ackedThrough >= 0) {
            ledger.put(c.clientId(), c.userId(), ackedThrough, topics, clock().millis());
        }
    }

    /** Runs a task that may block; refused once the channel is closed. */
    void execute(Runnable task) {
        blocking.execute(task);
    }

    ChannelContext context() {
        return context;
    }

    WsSettings settings() {
        return settings;
    }

    WsFrames frames() {
        return frames;
    }

    ResumeLedger ledger() {
        return ledger;
    }

    EventLog eventLog() {
        return context.eventLog();
    }

    Inbox inbox() {
        return context.inbox();
    }

    JsonCodec json() {
        return context.json();
    }

    Metrics metrics() {
        return context.metrics();
    }

    System.Logger logger() {
        return context.logger();
    }

    Clock clock() {
        return context.clock();
    }

    /** The frame of an entry: the one encoded for the current fan-out, else a fresh one; null when it cannot be encoded. */
    String frameOf(EventLogEntry e) {
        EncodedFrame f = inFlight.get(e);
        return f != null ? f.get() : encode(e);
    }

    String encode(EventLogEntry e) {
        try {
            return frames.event(e);
        } catch (RuntimeException ex) {
            logger().log(System.Logger.Level.WARNING, "cannot encode notification " + e.notification().id()
                    + " as a WebSocket frame; skipping it", ex);
            return null;
        }
    }

    private void checkAll() {
        long now = clock().millis();
        for (WsConnection c : connections) {
            try {
                c.checkAlive(now);
            } catch (RuntimeException e) {
                logger().log(System.Logger.Level.WARNING, "liveness check of WebSocket client " + c.clientId() + " failed", e);
            }
        }
        ledger.expire(now);
    }

    // computed by the first connection that needs it
    private static final class EncodedFrame {
        private final WsChannel channel;
        private final EventLogEntry entry;
        private String frame;
        private boolean done;

        EncodedFrame(WsChannel channel, EventLogEntry entry) {
            this.channel = channel;
            this.entry = entry;
        }

        synchronized String get() {
            if (!done) {
                frame = channel.encode(entry);
                done = true;
            }
            return frame;
        }
    }
}
