package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Instant;
import java.util.Objects;

/**
 * A delivery row to create with a notification.
 *
 * @param channel the push channel
 * @param target the channel's target (user id, endpoint id, ...)
 * @param dueAt when the first attempt is due
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record NewDelivery(String channel, String target, Instant dueAt) {

    /** Validates the components. */
    public NewDelivery {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(dueAt, "dueAt");
    }
}
