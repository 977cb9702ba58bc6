package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the store keeps what it only keeps for a while.
 *
 * @param eventMaxAge event-log entries older than this are pruned
 * @param eventMaxCount at most this many newest event-log entries are kept
 * @param idempotencyWindow an idempotency key can be reused after this long
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Retention(Duration eventMaxAge, long eventMaxCount, Duration idempotencyWindow) {

    /** The defaults: events for 7 days and at most 1,000,000 of them; idempotency keys for 24 hours. */
    public static final Retention DEFAULT = new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(24));

    /** Validates the components. */
    public Retention {
        Objects.requireNonNull(eventMaxAge, "eventMaxAge");
        Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
        if (eventMaxCount < 1) {
            throw new IllegalArgumentException("eventMaxCount must be positive");
        }
    }
}
