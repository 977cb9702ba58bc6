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
import dev.notify.stream.LiveFanOut;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sse} channel: fans each notification's event-log entries out to the live streams
 * through the hub (with {@link LiveFanOut}: one encoding per broadcast, writes after the hub's
 * fan-out, large ones over all cores), keeps the streams' heartbeat, and serves the stream when
 * the host has HTTP.
 */
public final class SseChannel implements Channel {

    private static final int HEARTBEAT_SLICES = 8;

    private final ChannelContext context;
    private final SseSettings settings;
    private final LiveFanOut<SseConnection, byte[]> fanOut;
    private final ScheduledFuture<?> heartbeat;
    private volatile boolean closed;
    // only the scheduler's one periodic task touches it
    private long heartbeatTicks;

    /**
     * A channel with these settings; registers the stream servlet at {@code paths} when the
     * context has a web registry.
     */
    public SseChannel(ChannelContext context, SseSettings settings, List<String> paths) {
        this.context = context;
        this.settings = settings;
        this.fanOut = new LiveFanOut<>(context, "SSE", LiveFanOut.Batching.AFTER_FAN_OUT, this::encode);
        // each tick serves one slice of the streams, so 15,000 heartbeats do not hold the shared scheduler at once
        long tick = Math.max(1, settings.heartbeatInterval().toMillis() / HEARTBEAT_SLICES);
        this.heartbeat = context.scheduler().scheduleAtFixedRate(this::heartbeatSlice, tick, tick, TimeUnit.MILLISECONDS);
        context.web().ifPresent(web -> SseWeb.register(web, paths, this));
    }

    @Override
    public String name() {
        return context.channelName();
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.STREAM;
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        return fanOut.deliver(delivery);
    }

    /**
     * Called by a stream that queued a frame during {@link #deliver}'s fan-out: true when the
     * channel will write it afterwards (with the other streams the fan-out reached), false when
     * the stream should write at once.
     */
    boolean deferDrain(SseConnection c) {
        return fanOut.defer(c);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.cancel(false);
        for (SseConnection c : fanOut.connections()) {
            c.shutdown("server shutting down");
        }
        fanOut.close();
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** A new connection of this user on these topics; the caller subscribes it to the hub. */
    SseConnection newConnection(String userId, Set<String> topics) {
        SseConnection c = new SseConnection(this, "sse-" + UUID.randomUUID(), userId, topics);
        fanOut.add(c);
        return c;
    }

    void remove(SseConnection c) {
        fanOut.remove(c);
    }

    /** The live connections of this channel. */
    public int connectionCount() {
        return fanOut.connectionCount();
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
        return fanOut.frameOf(e);
    }

    private byte[] encode(EventLogEntry e) {
        Notification n = e.notification();
        return SseFrames.event(Long.toString(e.sequence()), n.event(), toJson(NotificationJson.of(n, e.sequence())));
    }

    private void heartbeatSlice() {
        int slice = (int) (heartbeatTicks++ % HEARTBEAT_SLICES);
        fanOut.forEachConnection("heartbeat", c -> {
            if (Math.floorMod(c.hashCode(), HEARTBEAT_SLICES) == slice) {
                c.heartbeat();
            }
        });
    }
}
