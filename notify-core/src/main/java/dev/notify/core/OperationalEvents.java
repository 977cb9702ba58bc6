package dev.notify.core;

import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Channels' operational events (see {@link ChannelContext#emitOperationalEvent}): logged, counted,
 * and published on {@link ChannelContext#OPS_TOPIC} through the stream channels only. Calls the
 * registry (which channels stream), the metrics and the {@code publish} function it is given; a
 * failure to publish is logged, never thrown at the channel.
 */
final class OperationalEvents implements EngineChannelContext.OperationalEventSink {

    private static final System.Logger LOG = System.getLogger(OperationalEvents.class.getName());

    private final ChannelRegistry registry;
    private final Metrics metrics;
    private final BooleanSupplier open;
    private final Consumer<Notification> publish;

    OperationalEvents(ChannelRegistry registry, Metrics metrics, BooleanSupplier open, Consumer<Notification> publish) {
        this.registry = registry;
        this.metrics = metrics;
        this.open = open;
        this.publish = publish;
    }

    @Override
    public void emit(String source, String event, String message, Map<String, Object> details) {
        try {
            LOG.log(System.Logger.Level.WARNING, "operational event " + event + " from channel " + source + ": " + message);
            metrics.count("notify.ops.events", 1, "event", String.valueOf(event));
            List<String> streams = new ArrayList<>();
            for (ChannelSlot s : registry.allSlots()) {
                if (s.channel.kind() == ChannelKind.STREAM) {
                    streams.add(s.channel.name());
                }
            }
            if (streams.isEmpty() || !open.getAsBoolean()) {
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>(details == null ? Map.of() : details);
            data.put("source", source);
            Notification.Builder n = Notification.builder().topic(ChannelContext.OPS_TOPIC).event(event)
                    .type(NotificationType.WARNING).priority(Priority.HIGH).title(message).data(data);
            streams.forEach(n::channel);
            publish.accept(n.build());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not publish operational event " + event + " from channel " + source, e);
        }
    }
}
