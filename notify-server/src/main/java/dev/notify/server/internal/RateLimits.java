package dev.notify.server.internal;

import dev.notify.server.RateLimitSettings;
import dev.notify.web.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletResponse;

import java.util.Map;

/**
 * The server's three rate limiters (publishing per API key, stream connects and inbox calls per
 * user) and what every limited response carries: the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} headers (draft-ietf-httpapi-ratelimit-headers), and, past the limit, 429 with
 * {@code Retry-After}. Rejections are counted in {@code notify.ratelimit.rejected{policy}}.
 */
public final class RateLimits {

    private final RateLimiter publish;
    private final RateLimiter streamConnects;
    private final RateLimiter inbox;
    private final Counter publishRejected;
    private final Counter streamRejected;
    private final Counter inboxRejected;

    /** The limits of {@code settings}, counting rejections in {@code meters}. */
    public RateLimits(RateLimitSettings settings, MeterRegistry meters) {
        this.publish = limiter("publish", settings.publish());
        this.streamConnects = limiter("stream-connect", settings.streamConnects());
        this.inbox = limiter("inbox", settings.inbox());
        this.publishRejected = rejected(meters, publish);
        this.streamRejected = rejected(meters, streamConnects);
        this.inboxRejected = rejected(meters, inbox);
    }

    private static RateLimiter limiter(String name, RateLimitSettings.Limit l) {
        return RateLimiter.perSecond(name, l.perSecond(), l.burst());
    }

    private static Counter rejected(MeterRegistry meters, RateLimiter l) {
        return Counter.builder("notify.ratelimit.rejected").tag("policy", l.name())
                .description("requests refused with 429 by a rate limit").register(meters);
    }

    /** Takes {@code count} publishes of the API key; sets the headers, or throws the 429. */
    void publish(HttpServletResponse res, String keyId, int count) {
        ApiException refused = take(res, true, publish, publishRejected, keyId, count,
                count == 1 ? "this API key publishes faster than its limit" : "a batch of " + count + " notifications is over this API key's limit");
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * Takes a stream connect of the user; sets the headers and returns null, or returns the 429 to
     * answer. A held stream (SSE, WebSocket) that is let through gets no headers: its answer's
     * headers stay in memory for the stream's whole life (~0.1 KiB of heap per idle SSE stream,
     * measured: 8.20-8.28 KiB with them, 8.11-8.18 without) and Jetty scans them on every write
     * (9 headers instead of 7), while the clients that hold streams (a browser's
     * {@code EventSource} and {@code WebSocket}) cannot read them. A refusal carries them, like
     * every other limited answer.
     */
    ApiException streamConnect(HttpServletResponse res, String userId, boolean held) {
        return take(res, !held, streamConnects, streamRejected, userId, 1,
                "this user opens streams faster than the limit; reconnect after Retry-After");
    }

    /** Takes an inbox call of the user; sets the headers and returns null, or returns the 429 to answer. */
    ApiException inboxCall(HttpServletResponse res, String userId) {
        return take(res, true, inbox, inboxRejected, userId, 1, "this user calls the inbox faster than the limit");
    }

    // headersIfAllowed: whether an allowed request's answer carries the RateLimit headers (a refusal always does)
    private static ApiException take(HttpServletResponse res, boolean headersIfAllowed, RateLimiter limiter, Counter rejected,
                                     String key, int cost, String why) {
        if (!limiter.enabled()) {
            return null;
        }
        RateLimiter.Decision d = limiter.take(key, cost);
        String policy = limiter.policyHeader();
        String state = limiter.header(d);
        if (headersIfAllowed) {
            res.setHeader("RateLimit-Policy", policy);
            res.setHeader("RateLimit", state);
        }
        if (d.allowed()) {
            return null;
        }
        rejected.increment();
        String retryAfter = Long.toString(d.retryAfterSeconds());
        return new ApiException(429, "Too Many Requests", why + " (" + limiter.perSecond() + " per second, burst "
                + limiter.burst() + "); retry after " + retryAfter + " s",
                Map.of("Retry-After", retryAfter, "RateLimit-Policy", policy, "RateLimit", state));
    }
}
