package dev.notify.channel.sse.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Metrics;
import dev.notify.channel.sse.SseChannelProvider;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sse} channel: fans each notification's event-log entries out to the live streams
 * through the hub, keeps the streams' heartbeat, and serves the stream when the host has HTTP.
 */
public final class SseChannel implements Channel {

    private static final int HEARTBEAT_SLICES = 8;
    // fan-outs reaching fewer streams are written by the delivering thread alone
    private static final int PARALLEL_FAN_OUT = 512;
    private static final int WRITERS = Math.max(1, Runtime.getRuntime().availableProcessors());
    // the streams the current thread's fan-out reached, while it runs
    private static final ThreadLocal<List<SseConnection>> FAN_OUT = new ThreadLocal<>();

    private final ChannelContext context;
    private final SseSettings settings;
    private final Set<SseConnection> connections = ConcurrentHashMap.newKeySet();
    // a broadcast encodes its frame once, however many streams it reaches
    private final Map<EventLogEntry, EncodedFrame> inFlight = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> heartbeat;
    private volatile boolean closed;
    // only the scheduler's one periodic task touches it
    private long heartbeatTicks;
    private ExecutorService writers;

    /** A channel with these settings; registers the stream servlet when the context has a web registry. */
    public SseChannel(ChannelContext context, SseSettings settings) {
        this.context = context;
        this.settings = settings;
        // each tick serves one slice of the streams, so 15,000 heartbeats do not hold the shared scheduler at once
        long tick = Math.max(1, settings.heartbeatInterval().toMillis() / HEARTBEAT_SLICES);
        this.heartbeat = context.scheduler().scheduleAtFixedRate(this::heartbeatSlice, tick, tick, TimeUnit.MILLISECONDS);
        context.metrics().gauge("notify.stream.connections", connections::size, "channel", SseChannelProvider.NAME);
        context.web().ifPresent(web -> SseWeb.register(web, this));
    }

    @Override
    public String name() {
        return SseChannelProvider.NAME;
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
            List<SseConnection> reachedStreams = new ArrayList<>();
            FAN_OUT.set(reachedStreams);
            try {
                reached += context.hub().fanOut(SseChannelProvider.NAME, e);
            } finally {
                FAN_OUT.remove();
                inFlight.remove(e);
                // what the fan-out queued is written even if it stopped half-way
                drain(reachedStreams);
            }
        }
        context.metrics().count("notify.stream.fanout", reached, "channel", SseChannelProvider.NAME);
        return DeliveryResult.sent();
    }

    /**
     * Called by a stream that queued a frame during {@link #deliver}'s fan-out: true when the
     * channel will write it afterwards (with the other streams the fan-out reached), false when
     * the stream should write at once.
     */
    boolean deferDrain(SseConnection c) {
        List<SseConnection> batch = FAN_OUT.get();
        if (batch == null) {
            return false;
        }
        batch.add(c);
        return true;
    }

    // a broadcast's writes go through the servlet container one stream at a time; past a few hundred
    // streams they are split over the cores, the delivering thread taking the first share
    private void drain(List<SseConnection> streams) {
        int n = streams.size();
        int parts = n < PARALLEL_FAN_OUT ? 1 : Math.min(WRITERS, (n + PARALLEL_FAN_OUT - 1) / PARALLEL_FAN_OUT);
        int per = (n + parts - 1) / parts;
        for (int p = 1; p < parts; p++) {
            List<SseConnection> share = streams.subList(p * per, Math.min(n, (p + 1) * per));
            try {
                writers().execute(() -> drainAll(share));
            } catch (RejectedExecutionException e) {
                drainAll(share);
            }
        }
        drainAll(streams.subList(0, Math.min(n, per)));
    }

    private void drainAll(List<SseConnection> streams) {
        for (SseConnection c : streams) {
            try {
                c.drainNow();
            } catch (RuntimeException e) {
                logger().log(System.Logger.Level.WARNING, "write to SSE client " + c.clientId() + " failed", e);
            }
        }
    }

    private synchronized ExecutorService writers() {
        if (writers == null) {
            AtomicInteger n = new AtomicInteger();
            writers = Executors.newFixedThreadPool(WRITERS, r -> {
                Thread t = new Thread(r, "notify-sse-writer-" + n.incrementAndGet());
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
        heartbeat.cancel(false);
        for (SseConnection c : connections) {
            c.shutdown("server shutting down");
        }
        synchronized (this) {
            if (writers != null) {
                writers.shutdown();
            }
        }
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** A new connection of this user on these topics; the caller subscribes it to the hub. */
    SseConnection newConnection(String userId, Set<String> topics) {
        SseConnection c = new SseConnection(this, "sse-" + UUID.randomUUID(), userId, topics);
        connections.add(c);
        return c;
    }

    void remove(SseConnection c) {
        connections.remove(c);
    }

    /** The live connections of this channel. */
    public int connectionCount() {
        return connections.size();
    }

    ChannelContext context() {
        return context;
    }

    SseSettings settings() {
        return settings;
    }

    EventLog eventLog() {
        return context.eventLog();
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

    String toJson(Object value) {
        return context.json().toJson(value);
    }

    /** The frame of an entry: the one encoded for the current fan-out, else a fresh one; null when it cannot be encoded. */
    byte[] frameOf(EventLogEntry e) {
        EncodedFrame f = inFlight.get(e);
        return f != null ? f.get() : encode(e);
    }

    byte[] encode(EventLogEntry e) {
        Notification n = e.notification();
        try {
            return SseFrames.event(Long.toString(e.sequence()), n.event(), toJson(NotificationJson.of(n, e.sequence())));
        } catch (RuntimeException ex) {
            logger().log(System.Logger.Level.WARNING, "cannot encode notification " + n.id() + " as an SSE frame; skipping it", ex);
            return null;
        }
    }

    private void heartbeatSlice() {
        int slice = (int) (heartbeatTicks++ % HEARTBEAT_SLICES);
        for (SseConnection c : connections) {
            if (Math.floorMod(c.hashCode(), HEARTBEAT_SLICES) != slice) {
                continue;
            }
            try {
                c.heartbeat();
            } catch (RuntimeException e) {
                logger().log(System.Logger.Level.WARNING, "heartbeat of SSE client " + c.clientId() + " failed", e);
            }
        }
    }

    // computed by the first stream that needs it
    private static final class EncodedFrame {
        private final SseChannel channel;
        private final EventLogEntry entry;
        private byte[] frame;
        private boolean done;

        EncodedFrame(SseChannel channel, EventLogEntry entry) {
            this.channel = channel;
            this.entry = entry;
        }

        synchronized byte[] get() {
            if (!done) {
                frame = channel.encode(entry);
                done = true;
            }
            return frame;
        }
    }
}
