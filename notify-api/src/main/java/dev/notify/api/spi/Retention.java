package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the store keeps what it only keeps for a while.
 *
 * <p>Ages are measured against the {@code now} passed to {@link NotificationStore#prune}. A
 * notification is never removed while one of its deliveries is still pending or retrying: the
 * engine needs it to make the next attempt.
 *
 * @param eventMaxAge event-log entries older than this (by their notification's {@code createdAt})
 *                    are pruned; the entries of a notification removed by {@code notificationMaxAge}
 *                    go too, so the effective limit is the smaller of the two
 * @param eventMaxCount at most this many newest event-log entries are kept
 * @param idempotencyWindow an idempotency key can be reused after this long
 * @param deliveryMaxAge sent and cancelled deliveries, with their attempts, are removed once their
 *                       {@code updatedAt} is older than this; failed ones (dead letters) are kept
 *                       until replayed or until their notification is removed
 * @param notificationMaxAge a notification older than this (by {@code createdAt}) is removed with its
 *                           inbox items and its deliveries and their attempts, unless one of its
 *                           deliveries is still pending or retrying
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Retention(Duration eventMaxAge, long eventMaxCount, Duration idempotencyWindow,
                        Duration deliveryMaxAge, Duration notificationMaxAge) {

    /** The default {@link #deliveryMaxAge()}: 7 days. */
    public static final Duration DEFAULT_DELIVERY_MAX_AGE = Duration.ofDays(7);

    /** The default {@link #notificationMaxAge()}: 90 days. */
    public static final Duration DEFAULT_NOTIFICATION_MAX_AGE = Duration.ofDays(90);

    /**
     * The defaults: events for 7 days and at most 1,000,000 of them; idempotency keys for 24 hours;
     * sent and cancelled deliveries for 7 days; notifications for 90 days.
     */
    public static final Retention DEFAULT = new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(24),
            DEFAULT_DELIVERY_MAX_AGE, DEFAULT_NOTIFICATION_MAX_AGE);

    /** Validates the components. */
    public Retention {
        Objects.requireNonNull(eventMaxAge, "eventMaxAge");
        Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
        Objects.requireNonNull(deliveryMaxAge, "deliveryMaxAge");
        Objects.requireNonNull(notificationMaxAge, "notificationMaxAge");
        if (eventMaxCount < 1) {
            throw new IllegalArgumentException("eventMaxCount must be positive");
        }
        if (deliveryMaxAge.isNegative()) {
            throw new IllegalArgumentException("deliveryMaxAge must not be negative");
        }
        if (notificationMaxAge.isNegative()) {
            throw new IllegalArgumentException("notificationMaxAge must not be negative");
        }
    }

    /**
     * Event and idempotency retention as given, deliveries and notifications with their defaults
     * ({@link #DEFAULT_DELIVERY_MAX_AGE}, {@link #DEFAULT_NOTIFICATION_MAX_AGE}).
     */
    public Retention(Duration eventMaxAge, long eventMaxCount, Duration idempotencyWindow) {
        this(eventMaxAge, eventMaxCount, idempotencyWindow, DEFAULT_DELIVERY_MAX_AGE, DEFAULT_NOTIFICATION_MAX_AGE);
    }
}
