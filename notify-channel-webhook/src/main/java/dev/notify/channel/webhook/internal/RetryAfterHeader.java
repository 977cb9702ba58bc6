package dev.notify.channel.webhook.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** A receiver's {@code Retry-After} header: seconds or an HTTP date (RFC 9110), clamped to the configured range. */
final class RetryAfterHeader {

    private RetryAfterHeader() {
    }

    /** The wait {@code value} asks for from {@code now}, within {@code min}..{@code max}; empty when it is neither form. */
    static Optional<Duration> parse(String value, Instant now, Duration min, Duration max) {
        Duration d;
        String v = value.trim();
        try {
            if (v.matches("[0-9]{1,10}")) {
                d = Duration.ofSeconds(Long.parseLong(v));
            } else {
                d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
        if (d.compareTo(min) < 0) {
            d = min;
        }
        if (d.compareTo(max) > 0) {
            d = max;
        }
        return Optional.of(d);
    }
}
