package dev.notify.channel.poll.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code poll} channel. Short polls read the event log; long polls wait as hub subscribers
 * of channel {@code poll}, which {@link #deliver} wakes.
 */
public final class PollChannel implements Channel {

    private final ChannelContext context;
    private final String name;
    private final PollSettings settings;
    private final Set<LongPoll> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * A channel with these settings, named as its context says; registers the poll servlet at
     * {@code path} when the context has a web registry.
     */
    public PollChannel(ChannelContext context, PollSettings settings, String path) {
        this.context = context;
        this.name = context.channelName();
        this.settings = settings;
        context.metrics().gauge("notify.stream.connections", waiting::size, "channel", name);
        context.web().ifPresent(web -> PollWeb.register(web, path, this));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.STREAM;
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        for (EventLogEntry e : delivery.events()) {
            context.hub().fanOut(name, e);
        }
        return DeliveryResult.sent();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LongPoll p : waiting) {
            p.wake();
        }
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Long polls waiting right now. */
    public int waitingCount() {
        return waiting.size();
    }

    ChannelContext context() {
        return context;
    }

    PollSettings settings() {
        return settings;
    }

    String toJson(Object value) {
        return context.json().toJson(value);
    }

    void add(LongPoll p) {
        waiting.add(p);
    }

    void remove(LongPoll p) {
        waiting.remove(p);
    }
}
