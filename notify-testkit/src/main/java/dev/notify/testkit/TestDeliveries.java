package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * Deliveries shaped like the ones the host's engine hands to {@code Channel.deliver}, for a
 * plugin's own tests, which call the channel directly instead of starting an engine:
 *
 * <pre>{@code
 * Channel channel = new FileChannelProvider().create(context);
 * DeliveryResult result = channel.deliver(TestDeliveries.of(notification, "file", "u1", 1));
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class TestDeliveries {

    private TestDeliveries() {
    }

    /**
     * Attempt {@code attempt} (1 for the first) of delivering {@code n} through {@code channel} to
     * {@code target} ({@link Delivery#STREAM_TARGET} for a stream channel). Its key, the same for
     * every attempt, is {@code <notification id>/<channel>/<target>}; its events are the
     * notification's event-log entries as a publish appends them: one per recipient, then one for
     * the topic, numbered from 1.
     */
    public static Delivery of(Notification n, String channel, String target, int attempt) {
        List<EventLogEntry> events = new ArrayList<>();
        long seq = 1;
        for (String user : n.recipients()) {
            events.add(new EventLogEntry(seq++, Audience.user(user), n));
        }
        if (n.topic().isPresent()) {
            events.add(new EventLogEntry(seq, Audience.topic(n.topic().get()), n));
        }
        return new Delivery(n.id() + "/" + channel + "/" + target, n, channel, target, attempt, events);
    }
}
