package dev.notify.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One attempt at a delivery, as recorded in the attempt log.
 *
 * @param deliveryId the delivery attempted
 * @param number 1 for the first attempt, 2 for the first retry, ...
 * @param startedAt when the attempt started
 * @param duration how long it took
 * @param outcome what the channel reported
 * @param statusCode a protocol status code (an HTTP status for webhooks), when there is one
 * @param error the failure reason, when it failed
 * @param response an excerpt of the response (webhooks keep at most 16 KiB), when there is one
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record DeliveryAttempt(long deliveryId, int number, Instant startedAt, Duration duration,
                              DeliveryResult.Outcome outcome, OptionalInt statusCode, Optional<String> error,
                              Optional<String> response) {

    /** Validates that no component is null and that the number is positive. */
    public DeliveryAttempt {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(statusCode, "statusCode");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(response, "response");
        if (number < 1) {
            throw new IllegalArgumentException("attempt numbers start at 1, got " + number);
        }
    }

    /** The attempt a channel's result describes. */
    public static DeliveryAttempt of(long deliveryId, int number, Instant startedAt, Duration duration, DeliveryResult result) {
        return new DeliveryAttempt(deliveryId, number, startedAt, duration, result.outcome(), result.statusCode(),
                result.outcome() == DeliveryResult.Outcome.SENT ? Optional.empty() : Optional.of(result.reason()),
                result.response());
    }
}
