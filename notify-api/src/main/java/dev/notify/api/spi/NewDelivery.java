package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A delivery row to create with a notification.
 *
 * @param channel the push channel
 * @param target the channel's target (user id, endpoint id, ...)
 * @param dueAt when the first attempt is due
 * @param suppressedBecause when present, the row is created cancelled with this as its last error:
 *        a user's preference suppressed it, and the record says why
 * @param heldBecause when present, the row is created pending, due at {@code dueAt}, with this as
 *        its last error: a user's quiet hours hold it until then, and the record says why
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record NewDelivery(String channel, String target, Instant dueAt, Optional<String> suppressedBecause,
                          Optional<String> heldBecause) {

    /** Validates the components. */
    public NewDelivery {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(suppressedBecause, "suppressedBecause");
        Objects.requireNonNull(heldBecause, "heldBecause");
        if (suppressedBecause.isPresent() && heldBecause.isPresent()) {
            throw new IllegalArgumentException("a delivery is suppressed or held, not both");
        }
    }

    /** A delivery to make, or (with a reason) one a preference suppressed. */
    public NewDelivery(String channel, String target, Instant dueAt, Optional<String> suppressedBecause) {
        this(channel, target, dueAt, suppressedBecause, Optional.empty());
    }

    /** A delivery to make. */
    public NewDelivery(String channel, String target, Instant dueAt) {
        this(channel, target, dueAt, Optional.empty(), Optional.empty());
    }

    /** A delivery a preference suppressed, recorded as cancelled with {@code reason}. */
    public static NewDelivery suppressed(String channel, String target, Instant at, String reason) {
        return new NewDelivery(channel, target, at, Optional.of(reason), Optional.empty());
    }

    /** A delivery quiet hours hold until {@code until}, recorded as pending then with {@code reason}. */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
    public static NewDelivery held(String channel, String target, Instant until, String reason) {
        return new NewDelivery(channel, target, until, Optional.empty(), Optional.of(reason));
    }
}
