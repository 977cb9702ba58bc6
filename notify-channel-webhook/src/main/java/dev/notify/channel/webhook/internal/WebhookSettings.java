package dev.notify.channel.webhook.internal;

import dev.notify.api.spi.Config;
import dev.notify.web.RateLimiter;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The channel's configuration ({@code channels.webhook.*}), validated once at start-up.
 *
 * @param allowPrivateNetworks {@code allow-private-networks}: loopback, private, link-local (except
 *        cloud metadata), unique-local and CGNAT addresses may be targeted (local testing only)
 * @param allowedCidrs {@code allowed-cidrs}: ranges allowed although private (e.g. {@code 10.1.0.0/16})
 * @param connectTimeout {@code connect-timeout} (5s)
 * @param requestTimeout {@code request-timeout} (10s): the whole attempt, connect included
 * @param maxResponseBytes {@code max-response-bytes} (16384): the most of a response body read and kept
 * @param retryAfterMin {@code retry-after-min} (1s): the shortest {@code Retry-After} honoured
 * @param retryAfterMax {@code retry-after-max} (1h): the longest {@code Retry-After} honoured
 * @param maxConcurrencyPerEndpoint {@code max-concurrency-per-endpoint} (4): attempts in flight to one endpoint
 * @param busyRetryAfter {@code busy-retry-after} (1s): the shortest wait of a delivery that found its endpoint saturated;
 *        beyond it, waiting deliveries come back on the endpoint's own pace (its recent attempt duration divided by
 *        {@code max-concurrency-per-endpoint})
 * @param busyRetryMax {@code busy-retry-max} (1m): an endpoint that answers quickly again while its deferred deliveries
 *        reach further ahead than this has them brought forward at once (at most once per this time)
 * @param autoDisableAfter {@code auto-disable-after} (24h): an endpoint failing this long is disabled
 * @param autoDisableMinFailures {@code auto-disable-min-failures} (5): ... and only after this many failures in a row
 * @param secretRotationWindow {@code secret-rotation-window} (24h): how long the old secret still signs
 * @param endpointCacheTtl {@code endpoint-cache-ttl} (1s): how long a node reuses the endpoint list to pick targets
 * @param userAgent {@code user-agent}
 * @param keepAlive {@code keep-alive} (true): reuse connections (HTTP/1.1 keep-alive) per scheme, host, port and
 *        set of checked addresses; false sends {@code Connection: close} and opens a connection per attempt
 * @param poolIdleTimeout {@code pool-idle-timeout} (4s): an idle pooled connection is closed after this (kept
 *        below the usual server keep-alive timeouts, e.g. Node's 5 s)
 * @param poolMaxAge {@code pool-max-age} (30s): a connection is not reused once it is this old
 * @param poolMaxIdlePerHost {@code pool-max-idle-per-host}: accepted for compatibility and no longer used (the
 *        HTTP client closes idle connections after {@code pool-idle-timeout}; the in-flight limits bound how many open)
 * @param rateLimit {@code rate-limit} (1000:1000): deliveries per second per endpoint and the burst, a rate that
 *        protects receivers; a delivery over it is deferred without costing an attempt; {@code off} disables it.
 *        Per node: {@code n} nodes may together reach {@code n} times the rate
 * @param maxInFlight {@code max-in-flight} (1000): attempts in flight on this node, all endpoints together, so the
 *        memory of waiting exchanges stays bounded; a delivery over it is deferred like a saturated endpoint's
 * @param proxy {@code proxy} (none) and {@code no-proxy}: the egress proxy every attempt goes through, except to the
 *        hosts listed in {@code no-proxy}
 * @param busyWait {@code busy-wait} (500ms): a delivery that finds its endpoint saturated waits in memory this long at
 *        most for a place, when the endpoint's recent pace says one frees in time (an endpoint that hangs, or has not
 *        answered yet, has no such pace: its deliveries are deferred at once); past it, it is deferred as above.
 *        {@code 0} defers at once
 * @param maxWaiting {@code max-waiting} (256): deliveries waiting in memory for an endpoint place on this node, all
 *        endpoints together; each holds one of the engine's {@code delivery.max-in-flight} places while it waits
 * @param maxWaitingPerEndpoint {@code max-waiting-per-endpoint} (16 times {@code max-concurrency-per-endpoint}):
 *        deliveries waiting in memory for one endpoint's place, so that one busy endpoint cannot take every waiting
 *        place of the node
 */
public record WebhookSettings(boolean allowPrivateNetworks, List<Cidr> allowedCidrs, Duration connectTimeout,
                              Duration requestTimeout, int maxResponseBytes, Duration retryAfterMin, Duration retryAfterMax,
                              int maxConcurrencyPerEndpoint, Duration busyRetryAfter, Duration busyRetryMax,
                              Duration autoDisableAfter,
                              int autoDisableMinFailures, Duration secretRotationWindow, Duration endpointCacheTtl,
                              String userAgent, boolean keepAlive, Duration poolIdleTimeout, Duration poolMaxAge,
                              int poolMaxIdlePerHost, RateLimiter rateLimit, int maxInFlight,
                              Optional<ProxySettings> proxy, Duration busyWait, int maxWaiting, int maxWaitingPerEndpoint) {

    /**
     * An egress proxy ({@code channels.webhook.proxy = http://host:port}) and the hosts reached
     * without it ({@code channels.webhook.no-proxy}: a name matches itself and its subdomains, a
     * leading dot is ignored, {@code *} matches every host).
     */
    public record ProxySettings(String host, int port, List<String> noProxy) {

        static ProxySettings parse(String url, List<String> noProxy) {
            URI u;
            try {
                u = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("channels.webhook.proxy: not a URL: " + e.getMessage(), e);
            }
            if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getPort() < 1 || u.getUserInfo() != null
                    || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))) {
                throw new IllegalArgumentException("channels.webhook.proxy must read http://host:port, got '" + url + "'");
            }
            List<String> hosts = new ArrayList<>();
            for (String h : noProxy) {
                String t = h.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    hosts.add(t.startsWith(".") ? t.substring(1) : t);
                }
            }
            return new ProxySettings(u.getHost(), u.getPort(), List.copyOf(hosts));
        }

        /** Whether a host is reached without the proxy. */
        static boolean bypasses(List<String> noProxy, String host) {
            String h = host.toLowerCase(Locale.ROOT);
            for (String n : noProxy) {
                if (n.equals("*") || h.equals(n) || h.endsWith("." + n)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The defaults. */
    public static WebhookSettings defaults() {
        return from(Config.empty());
    }

    /**
     * Reads and validates the channel's node.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public static WebhookSettings from(Config c) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String s : c.getList("allowed-cidrs")) {
            try {
                cidrs.add(Cidr.parse(s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("channels.webhook.allowed-cidrs: " + e.getMessage(), e);
            }
        }
        WebhookSettings s = new WebhookSettings(
                c.getBoolean("allow-private-networks", false),
                List.copyOf(cidrs),
                positive(c, "connect-timeout", Duration.ofSeconds(5)),
                positive(c, "request-timeout", Duration.ofSeconds(10)),
                c.getInt("max-response-bytes", 16 * 1024),
                positive(c, "retry-after-min", Duration.ofSeconds(1)),
                positive(c, "retry-after-max", Duration.ofHours(1)),
                c.getInt("max-concurrency-per-endpoint", 4),
                positive(c, "busy-retry-after", Duration.ofSeconds(1)),
                positive(c, "busy-retry-max", Duration.ofMinutes(1)),
                positive(c, "auto-disable-after", Duration.ofHours(24)),
                c.getInt("auto-disable-min-failures", 5),
                positive(c, "secret-rotation-window", Duration.ofHours(24)),
                c.getDuration("endpoint-cache-ttl", Duration.ofSeconds(1)),
                c.get("user-agent", "Notify-Webhooks/0.1"),
                c.getBoolean("keep-alive", true),
                positive(c, "pool-idle-timeout", Duration.ofSeconds(4)),
                positive(c, "pool-max-age", Duration.ofSeconds(30)),
                c.getInt("pool-max-idle-per-host", 16),
                RateLimiter.parse("webhook-endpoint", "channels.webhook.rate-limit", c.get("rate-limit", "1000:1000")),
                c.getInt("max-in-flight", 1000),
                c.get("proxy", "").isBlank() ? Optional.empty()
                        : Optional.of(ProxySettings.parse(c.get("proxy", ""), c.getList("no-proxy"))),
                c.getDuration("busy-wait", Duration.ofMillis(500)),
                c.getInt("max-waiting", 256),
                c.getInt("max-waiting-per-endpoint", 16 * c.getInt("max-concurrency-per-endpoint", 4)));
        if (s.busyWait.isNegative()) {
            throw new IllegalArgumentException("channels.webhook.busy-wait must not be negative, got " + s.busyWait);
        }
        if (s.maxWaiting < 0) {
            throw new IllegalArgumentException("channels.webhook.max-waiting must not be negative, got " + s.maxWaiting);
        }
        if (s.maxWaitingPerEndpoint < 0) {
            throw new IllegalArgumentException("channels.webhook.max-waiting-per-endpoint must not be negative, got " + s.maxWaitingPerEndpoint);
        }
        if (s.maxInFlight < 1) {
            throw new IllegalArgumentException("channels.webhook.max-in-flight must be at least 1, got " + s.maxInFlight);
        }
        if (s.poolMaxIdlePerHost < 0) {
            throw new IllegalArgumentException("channels.webhook.pool-max-idle-per-host must not be negative, got " + s.poolMaxIdlePerHost);
        }
        if (s.maxResponseBytes < 0 || s.maxResponseBytes > 1 << 20) {
            throw new IllegalArgumentException("channels.webhook.max-response-bytes must be between 0 and 1048576, got " + s.maxResponseBytes);
        }
        if (s.maxConcurrencyPerEndpoint < 1) {
            throw new IllegalArgumentException("channels.webhook.max-concurrency-per-endpoint must be at least 1, got " + s.maxConcurrencyPerEndpoint);
        }
        if (s.busyRetryMax.compareTo(s.busyRetryAfter) < 0) {
            throw new IllegalArgumentException("channels.webhook.busy-retry-max must not be below busy-retry-after");
        }
        if (s.retryAfterMax.compareTo(s.retryAfterMin) < 0) {
            throw new IllegalArgumentException("channels.webhook.retry-after-max must not be below retry-after-min");
        }
        if (s.autoDisableMinFailures < 1) {
            throw new IllegalArgumentException("channels.webhook.auto-disable-min-failures must be at least 1");
        }
        if (s.userAgent.chars().anyMatch(ch -> ch < 0x20 || ch > 0x7e)) {
            throw new IllegalArgumentException("channels.webhook.user-agent must be printable ASCII");
        }
        return s;
    }

    private static Duration positive(Config c, String key, Duration fallback) {
        Duration d = c.getDuration(key, fallback);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("channels.webhook." + key + " must be positive, got " + d);
        }
        return d;
    }
}
