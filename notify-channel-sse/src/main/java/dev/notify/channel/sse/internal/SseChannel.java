package dev.notify.channel.sse.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.ChannelContext;
import dev.notify.stream.LiveFanOut;
import dev.notify.stream.StreamChannel;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sse} channel: fans each notification's event-log entries out to the live streams
 * through the hub (with {@link LiveFanOut}: one encoding per broadcast, written after the hub's
 * fan-out, large ones from all cores), keeps the streams' heartbeat, and serves the stream when
 * the host has HTTP.
 */
public final class SseChannel extends StreamChannel<SseConnection, byte[]> {

    private static final int HEARTBEAT_SLICES = 8;

    private final SseSettings settings;
    private final ScheduledFuture<?> heartbeat;
    // only the scheduler's one periodic task touches it
    private long heartbeatTicks;

    /**
     * A channel with these settings; registers the stream servlet at {@code paths} when the
     * context has a web registry.
     */
    public SseChannel(ChannelContext context, SseSettings settings, List<String> paths) {
        super(context, "SSE", LiveFanOut.Batching.AFTER_FAN_OUT);
        this.settings = settings;
        // each tick serves one slice of the streams, so 15,000 heartbeats do not hold the shared scheduler at once
        long tick = Math.max(1, settings.heartbeatInterval().toMillis() / HEARTBEAT_SLICES);
        this.heartbeat = context.scheduler().scheduleAtFixedRate(this::heartbeatSlice, tick, tick, TimeUnit.MILLISECONDS);
        context.web().ifPresent(web -> SseWeb.register(web, paths, this));
    }

    @Override
    protected void shutdown() {
        heartbeat.cancel(false);
        for (SseConnection c : fanOut().connections()) {
            c.shutdown("server shutting down");
        }
    }

    /** A new connection of this user on these topics; the caller subscribes it to the hub. */
    SseConnection newConnection(String userId, Set<String> topics) {
        SseConnection c = new SseConnection(this, "sse-" + UUID.randomUUID(), userId, topics);
        fanOut().add(c);
        return c;
    }

    SseSettings settings() {
        return settings;
    }

    String toJson(Object value) {
        return context().json().toJson(value);
    }

    @Override
    protected byte[] encode(EventLogEntry e) {
        Notification n = e.notification();
        return SseFrames.event(Long.toString(e.sequence()), n.event(), toJson(NotificationJson.of(n, e.sequence())));
    }

    private void heartbeatSlice() {
        int slice = (int) (heartbeatTicks++ % HEARTBEAT_SLICES);
        fanOut().forEachConnection("heartbeat", c -> {
            if (Math.floorMod(c.hashCode(), HEARTBEAT_SLICES) == slice) {
                c.heartbeat();
            }
        });
    }
}
