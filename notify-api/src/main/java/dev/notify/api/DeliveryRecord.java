package dev.notify.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one delivery: one (notification, channel, target) as the store keeps it.
 *
 * @param id the store's id of the delivery, stable across retries
 * @param notificationId the notification delivered
 * @param channel the channel name
 * @param target what the channel delivers to: a user id, an endpoint id, ...
 * @param priority the notification's priority, used to order claims
 * @param status the current status
 * @param attempts how many attempts were made so far (reset by a replay)
 * @param nextAttemptAt when the next attempt is due, while pending or retrying
 * @param lastError the last failure's reason, if any
 * @param createdAt when the delivery was created
 * @param updatedAt when it last changed
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record DeliveryRecord(long id, String notificationId, String channel, String target, Priority priority,
                             DeliveryStatus status, int attempts, Optional<Instant> nextAttemptAt,
                             Optional<String> lastError, Instant createdAt, Instant updatedAt) {

    /** Validates that no component is null. */
    public DeliveryRecord {
        Objects.requireNonNull(notificationId, "notificationId");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
