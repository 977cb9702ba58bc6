package dev.notify.server;

import dev.notify.web.RateLimiter;

/**
 * The server's rate limits: token buckets per API key for publishing (a batch counts each
 * notification), per user for stream connects (SSE, WebSocket, polls) and for inbox calls. Each is
 * a rate per second and a burst; a rate of 0 turns that limit off. The defaults are far above what
 * a person or a well-behaved publisher does, so they only stop runaways.
 *
 * <p>Per node: each server keeps its own buckets, so behind a load balancer spreading clients over
 * {@code n} nodes a key may reach up to {@code n} times its rate. Per-endpoint webhook rates are the
 * webhook channel's ({@code channels.webhook.rate-limit}).
 *
 * @param publish notifications per second per API key
 * @param streamConnects new stream connections per second per user
 * @param inbox inbox calls (list, counts, marks, deletes, preferences) per second per user
 */
public record RateLimitSettings(Limit publish, Limit streamConnects, Limit inbox) {

    /** The defaults: publish 10,000/s (burst 20,000), stream connects 20/s (burst 100), inbox calls 50/s (burst 500). */
    public static final RateLimitSettings DEFAULTS = new RateLimitSettings(new Limit(10_000, 20_000), new Limit(20, 100), new Limit(50, 500));

    /** No limits at all. */
    public static final RateLimitSettings OFF = new RateLimitSettings(Limit.OFF, Limit.OFF, Limit.OFF);

    /**
     * One limit: {@code perSecond} tokens a second up to {@code burst}.
     *
     * @param perSecond the sustained rate; 0 turns the limit off
     * @param burst the most tokens a key may save up, at least 1 when on
     */
    public record Limit(double perSecond, long burst) {

        /** No limit. */
        public static final Limit OFF = new Limit(0, 0);

        /** Validates the components. */
        public Limit {
            if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("a rate must be a finite number of at least 0 per second, got " + perSecond);
            }
            if (perSecond > 0 && burst < 1) {
                throw new IllegalArgumentException("a burst must be at least 1, got " + burst);
            }
        }

        /**
         * Parses {@code RATE} or {@code RATE:BURST} ({@code 100}, {@code 100:500}, {@code 0.5:10});
         * without a burst it is twice the rate (at least 1). {@code 0} or {@code off} turns it off.
         */
        public static Limit parse(String what, String text) {
            RateLimiter l = RateLimiter.parse(what, what, text);
            return l.enabled() ? new Limit(l.perSecond(), l.burst()) : OFF;
        }

        @Override
        public String toString() {
            return perSecond == 0 ? "off" : perSecond + "/s burst " + burst;
        }
    }
}
