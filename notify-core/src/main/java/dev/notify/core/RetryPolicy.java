package dev.notify.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the delay before attempt {@code n + 1} is
 * {@code min(cap, base * factor^(n-1))}, multiplied by a random factor in {@code [1 - jitter, 1 + jitter]}
 * and capped again. After {@code maxAttempts} attempts a delivery is failed (a dead letter).
 *
 * <p>The defaults (5 attempts, 1 s base, factor 2, 5 min cap, 20 % jitter) give retries after
 * about 1 s, 2 s, 4 s and 8 s.
 *
 * @param maxAttempts attempts in all, the first included (at least 1)
 * @param baseDelay delay before the first retry
 * @param factor growth per retry (at least 1)
 * @param maxDelay cap of any delay
 * @param jitter relative spread, 0 (none) to 1
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, double factor, Duration maxDelay, double jitter) {

    /** 5 attempts, 1 s base, factor 2, 5 min cap, 20 % jitter. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.2);

    /** Validates the components. */
    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be at least 1, got " + factor);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
        }
    }

    /** This policy with another number of attempts. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, baseDelay, factor, maxDelay, jitter);
    }

    /** This policy with another jitter (0 makes delays exact, for tests). */
    public RetryPolicy withJitter(double j) {
        return new RetryPolicy(maxAttempts, baseDelay, factor, maxDelay, j);
    }

    /** Whether another attempt may follow attempt number {@code attemptsMade}. */
    public boolean allowsRetryAfter(int attemptsMade) {
        return attemptsMade < maxAttempts;
    }

    /**
     * The delay after attempt number {@code attemptsMade} (1-based) failed.
     *
     * @param random source of jitter
     */
    public Duration delayAfter(int attemptsMade, RandomGenerator random) {
        double millis = baseDelay.toMillis() * Math.pow(factor, Math.max(0, attemptsMade - 1));
        double cap = maxDelay.toMillis();
        millis = Math.min(millis, cap);
        if (jitter > 0) {
            millis = millis * (1 - jitter + 2 * jitter * random.nextDouble());
            millis = Math.min(millis, cap);
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
