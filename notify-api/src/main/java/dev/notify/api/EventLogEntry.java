package dev.notify.api;

import java.util.Objects;

/**
 * One entry of the event log: a notification as one audience sees it, with its place in the
 * log. Stream channels use {@link #sequence()} as the SSE {@code id:} and WebSocket {@code id},
 * and clients resume "after" it.
 *
 * @param sequence the position in the log; increases with every append
 * @param audience the user or topic the entry is for
 * @param notification the notification
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record EventLogEntry(long sequence, Audience audience, Notification notification) {

    /** Validates the components. */
    public EventLogEntry {
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(notification, "notification");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequences start at 1, got " + sequence);
        }
    }
}
