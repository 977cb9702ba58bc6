package dev.notify.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a channel reports for one delivery attempt: {@linkplain #sent() sent},
 * {@linkplain #retryLater(String) retry later} (the tracker schedules the next attempt with
 * backoff, or dead-letters it after the last one), {@linkplain #failed(String) failed for good},
 * or {@linkplain #deferred(String, Duration) deferred} (not attempted at all, e.g. because the
 * target is saturated; handed out again later without using up an attempt).
 *
 * <pre>{@code
 * if (response.statusCode() / 100 == 2) return DeliveryResult.sent().withStatusCode(200);
 * if (response.statusCode() == 429) return DeliveryResult.retryAfter("rate limited", Duration.ofSeconds(30));
 * return DeliveryResult.failed("endpoint answered 400");
 * }</pre>
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class DeliveryResult {

    /** The outcomes of an attempt. */
    public enum Outcome {
        /** Delivered. */
        SENT,
        /** Not delivered this time; worth another attempt. */
        RETRY,
        /** Not delivered, and another attempt would not help. */
        FAILED,
        /**
         * Not attempted: the channel could not start this delivery now (its target already has as
         * many deliveries in flight as it allows, say). The tracker hands it out again after
         * {@link #retryAfter()} without counting an attempt or recording one in the attempt log.
         * @since 0.2
         */
        DEFERRED
    }

    private static final DeliveryResult SENT = new DeliveryResult(Outcome.SENT, "sent", null, OptionalInt.empty(), null);

    private final Outcome outcome;
    private final String reason;
    private final Duration retryAfter;
    private final OptionalInt statusCode;
    private final String response;

    private DeliveryResult(Outcome outcome, String reason, Duration retryAfter, OptionalInt statusCode, String response) {
        this.outcome = outcome;
        this.reason = reason;
        this.retryAfter = retryAfter;
        this.statusCode = statusCode;
        this.response = response;
    }

    /** Delivered. */
    public static DeliveryResult sent() {
        return SENT;
    }

    /** Not delivered; retry after the tracker's backoff. */
    public static DeliveryResult retryLater(String reason) {
        return new DeliveryResult(Outcome.RETRY, requireReason(reason), null, OptionalInt.empty(), null);
    }

    /**
     * Not delivered; retry no earlier than {@code after} (e.g. an HTTP {@code Retry-After}),
     * or the tracker's backoff if that is later.
     */
    public static DeliveryResult retryAfter(String reason, Duration after) {
        Objects.requireNonNull(after, "after");
        if (after.isNegative()) {
            throw new IllegalArgumentException("retry delay must not be negative: " + after);
        }
        return new DeliveryResult(Outcome.RETRY, requireReason(reason), after, OptionalInt.empty(), null);
    }

    /**
     * Not attempted now; hand it out again after {@code after}, without counting an attempt.
     * Use it only when nothing was sent, e.g. when the target already has as many deliveries in
     * flight as the channel allows. A channel that keeps deferring keeps a delivery pending
     * until it expires or is cancelled, so defer only for conditions that resolve by themselves.
     *
     * @param reason why it was not attempted (not blank)
     * @param after  how long to wait, not negative
     * @since 0.2
     */
    public static DeliveryResult deferred(String reason, Duration after) {
        Objects.requireNonNull(after, "after");
        if (after.isNegative()) {
            throw new IllegalArgumentException("defer delay must not be negative: " + after);
        }
        return new DeliveryResult(Outcome.DEFERRED, requireReason(reason), after, OptionalInt.empty(), null);
    }

    /** Failed for good: no further attempt; the delivery becomes a dead letter. */
    public static DeliveryResult failed(String reason) {
        return new DeliveryResult(Outcome.FAILED, requireReason(reason), null, OptionalInt.empty(), null);
    }

    /** This result with a protocol status code, for the attempt log. */
    public DeliveryResult withStatusCode(int code) {
        return new DeliveryResult(outcome, reason, retryAfter, OptionalInt.of(code), response);
    }

    /** This result with a response excerpt, for the attempt log. */
    public DeliveryResult withResponse(String excerpt) {
        return new DeliveryResult(outcome, reason, retryAfter, statusCode, excerpt);
    }

    /** The outcome. */
    public Outcome outcome() {
        return outcome;
    }

    /** Why it was not sent; {@code "sent"} for a success. */
    public String reason() {
        return reason;
    }

    /** The earliest retry the channel asks for, if it asked; always present for {@link Outcome#DEFERRED}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The protocol status code, if the channel gave one. */
    public OptionalInt statusCode() {
        return statusCode;
    }

    /** The response excerpt, if the channel gave one. */
    public Optional<String> response() {
        return Optional.ofNullable(response);
    }

    /** Whether this is {@link Outcome#SENT}. */
    public boolean isSent() {
        return outcome == Outcome.SENT;
    }

    private static String requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a failure needs a reason");
        }
        return reason;
    }

    @Override
    public String toString() {
        return outcome + (outcome == Outcome.SENT ? "" : "(" + reason + ")")
                + (statusCode.isPresent() ? "[" + statusCode.getAsInt() + "]" : "");
    }
}
