package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;

import java.util.List;
import java.util.Objects;

/**
 * What a publish stored.
 *
 * @param notification the stored notification; for a duplicate, the first one published with the key
 * @param duplicate true when the idempotency key was already used in its scope: nothing new was stored
 * @param events the event-log entries created (empty for a duplicate)
 * @param deliveries the delivery rows created (empty for a duplicate)
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record PublishResult(Notification notification, boolean duplicate, List<EventLogEntry> events,
                            List<DeliveryRecord> deliveries) {

    /** Validates and copies the components. */
    public PublishResult {
        Objects.requireNonNull(notification, "notification");
        events = List.copyOf(events);
        deliveries = List.copyOf(deliveries);
    }
}
