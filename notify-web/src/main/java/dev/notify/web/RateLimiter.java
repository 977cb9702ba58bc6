package dev.notify.web;

import dev.notify.api.Api;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per key (an API key, a user, a webhook endpoint), all refilled at the same
 * rate up to the same burst. In memory and per process: a cluster of {@code n} nodes admits up to
 * {@code n} times the rate, as each node keeps its own buckets.
 *
 * <p>Hand-written rather than Bucket4j: the whole algorithm is the dozen lines of {@code Bucket},
 * and what the callers need around it (the remaining tokens and the seconds to a full bucket for the
 * IETF {@code RateLimit} header, a cost larger than the burst, dropping idle keys so a stream of new
 * user ids cannot grow the map without bound) is what a library would leave to us anyway; it also
 * keeps the shaded server and the webhook plugin free of another jar and its JPMS naming.
 *
 * <pre>{@code
 * RateLimiter publish = RateLimiter.perSecond("publish", 1000, 5000);
 * RateLimiter.Decision d = publish.take(apiKeyId, batchSize);
 * if (!d.allowed()) { ... answer 429 with Retry-After: d.retryAfterSeconds() ... }
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
public final class RateLimiter {

    /** Past this many keys, a take sweeps out the buckets that refilled completely (idle keys). */
    static final int SWEEP_ABOVE = 10_000;

    private final String name;
    private final double perSecond;
    private final long burst;
    private final LongSupplier nanoTime;
    private final String policyHeader;
    // the RateLimit values, made once per (remaining, reset seconds) while both are small: a long-lived stream's response
    // keeps its headers for its whole life, so 10,000 streams held 10,000 copies of a handful of strings. A row per
    // remaining count (up to the burst, at most CACHED_REMAINING), made on first use, of RESET_SECONDS values each
    private final String[][] headers;
    private static final int CACHED_REMAINING = 1024;
    private static final int RESET_SECONDS = 32;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile int sweepAt = SWEEP_ABOVE;

    private RateLimiter(String name, double perSecond, long burst, LongSupplier nanoTime) {
        this.name = Objects.requireNonNull(name, "name");
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate of '" + name + "' must be a finite number of at least 0, got " + perSecond);
        }
        if (perSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("burst of '" + name + "' must be at least 1, got " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.headers = new String[(int) Math.min(CACHED_REMAINING, Math.max(1, burst + 1))][];
        this.policyHeader = "\"" + name + "\";q=" + burst + ";w=" + (perSecond > 0 ? Math.max(1, (long) Math.ceil(burst / perSecond)) : 1);
    }

    /**
     * A limiter of {@code perSecond} tokens a second per key, holding at most {@code burst}; a rate
     * of 0 turns it off ({@link #enabled()} false, every take allowed).
     */
    public static RateLimiter perSecond(String name, double perSecond, long burst) {
        return new RateLimiter(name, perSecond, burst, System::nanoTime);
    }

    /** {@link #perSecond(String, double, long)} on a clock of nanoseconds, for tests. */
    public static RateLimiter perSecond(String name, double perSecond, long burst, LongSupplier nanoTime) {
        return new RateLimiter(name, perSecond, burst, nanoTime);
    }

    /**
     * A limiter from a setting of {@code RATE} or {@code RATE:BURST} per second ({@code 100},
     * {@code 100:500}, {@code 0.5:10}); without a burst it is twice the rate (at least 1), and
     * {@code 0} or {@code off} turns it off.
     *
     * @param name the policy's name
     * @param setting the text; messages name it as {@code what}
     * @throws IllegalArgumentException naming {@code what} when the text is not such a setting
     */
    public static RateLimiter parse(String name, String what, String setting) {
        String t = setting.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("off")) {
            return perSecond(name, 0, 0);
        }
        try {
            int colon = t.indexOf(':');
            double rate = Double.parseDouble(colon < 0 ? t : t.substring(0, colon));
            long burst = colon < 0 ? Math.max(1, (long) Math.ceil(rate * 2)) : Long.parseLong(t.substring(colon + 1));
            return perSecond(name, rate, rate == 0 ? 0 : burst);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + setting + "' is not RATE or RATE:BURST (per second), such as 100:500, or off");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + setting + "': " + e.getMessage());
        }
    }

    /** The policy's name, as in the {@code RateLimit} headers and metrics. */
    public String name() {
        return name;
    }

    /** Whether it limits at all (a rate above 0). */
    public boolean enabled() {
        return perSecond > 0;
    }

    /** Tokens added per second. */
    public double perSecond() {
        return perSecond;
    }

    /** Most tokens a key may hold: the largest burst. */
    public long burst() {
        return burst;
    }

    /**
     * Takes {@code cost} tokens of {@code key}'s bucket. A cost above the burst is allowed once the
     * bucket is full, and leaves it in debt, so a large batch is never refused forever.
     */
    public Decision take(String key, int cost) {
        if (cost < 0) {
            throw new IllegalArgumentException("cost must not be negative, got " + cost);
        }
        if (!enabled()) {
            return new Decision(true, Long.MAX_VALUE, 0, 0);
        }
        long now = nanoTime.getAsLong();
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= sweepAt) {
                sweep(now);
            }
            b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        return b.take(cost, now);
    }

    /** How many keys have a bucket (for tests and metrics). */
    public int keys() {
        return buckets.size();
    }

    // drops the buckets that are full again: their keys have been idle for a whole refill
    private void sweep(long now) {
        buckets.values().removeIf(b -> b.fullAt(now));
        sweepAt = Math.max(SWEEP_ABOVE, buckets.size() * 2);
    }

    /** The {@code RateLimit-Policy} field value (draft-ietf-httpapi-ratelimit-headers): quota = burst, window = the time to refill it. */
    public String policyHeader() {
        return policyHeader;
    }

    /** The {@code RateLimit} field value after {@code d}: the remaining tokens and the seconds until the bucket is full. */
    public String header(Decision d) {
        long r = Math.max(0, d.remaining());
        long t = d.resetSeconds();
        if (r >= headers.length || t < 0 || t >= RESET_SECONDS) {
            return format(r, t);
        }
        String[] row = headers[(int) r];
        if (row == null) {
            row = new String[RESET_SECONDS];
            headers[(int) r] = row; // a race makes a row twice: harmless, like a string made twice below
        }
        String h = row[(int) t];
        if (h == null) {
            h = format(r, t);
            row[(int) t] = h;
        }
        return h;
    }

    private String format(long remaining, long resetSeconds) {
        return "\"" + name + "\";r=" + remaining + ";t=" + resetSeconds;
    }

    /**
     * The answer to one take.
     *
     * @param allowed whether the tokens were taken
     * @param remaining whole tokens left (negative while a large cost is being paid off)
     * @param resetSeconds seconds until the bucket is full again
     * @param retryAfterNanos when refused, how long until the cost fits; 0 when allowed
     */
    public record Decision(boolean allowed, long remaining, long resetSeconds, long retryAfterNanos) {

        /** {@link #retryAfterNanos()} in whole seconds, at least 1 when refused, for {@code Retry-After}. */
        public long retryAfterSeconds() {
            return allowed ? 0 : Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    private final class Bucket {
        private double tokens;
        private long updatedAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedAt = now;
        }

        synchronized Decision take(int cost, long now) {
            refill(now);
            double needed = Math.min(cost, burst);
            if (tokens >= needed) {
                tokens -= cost;
                return new Decision(true, (long) Math.floor(tokens), secondsToFull(), 0);
            }
            long wait = (long) Math.ceil((needed - tokens) / perSecond * 1e9);
            return new Decision(false, (long) Math.floor(tokens), secondsToFull(), wait);
        }

        synchronized boolean fullAt(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            long elapsed = now - updatedAt;
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + elapsed / 1e9 * perSecond);
                updatedAt = now;
            }
        }

        private long secondsToFull() {
            return (long) Math.ceil((burst - tokens) / perSecond);
        }
    }
}
