package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;

import java.util.List;
import java.util.Objects;

/**
 * One attempt's worth of work handed to {@link Channel#deliver}.
 *
 * @param key a key that identifies this delivery and stays the same across its retries and
 *        replays (a webhook sends it as {@code webhook-id}, so receivers can de-duplicate)
 * @param notification the notification, with its template already rendered
 * @param channel the channel name
 * @param target the target: a user id, an endpoint id, ..., or {@link #STREAM_TARGET}
 * @param attempt 1 for the first attempt, 2 for the first retry, ...
 * @param events the notification's event-log entries (one per audience), for stream channels to fan out
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Delivery(String key, Notification notification, String channel, String target, int attempt,
                       List<EventLogEntry> events) {

    /** The target of a stream channel's single delivery per notification: its whole audience. */
    public static final String STREAM_TARGET = "*";

    /** Validates and copies the components. */
    public Delivery {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(notification, "notification");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(target, "target");
        events = List.copyOf(events);
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts start at 1, got " + attempt);
        }
    }
}
