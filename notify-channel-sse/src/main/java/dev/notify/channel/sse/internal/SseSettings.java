package dev.notify.channel.sse.internal;

import dev.notify.api.spi.Config;

import java.time.Duration;

/**
 * The SSE channel's configuration ({@code channels.sse.*}), validated once at start.
 *
 * @param heartbeatInterval how often a stream gets a {@code : heartbeat} comment
 * @param retry the reconnect delay hinted to clients with {@code retry:}
 * @param maxBufferedEvents the most frames one connection may hold unwritten
 * @param maxBufferedBytes the most bytes one connection may hold unwritten
 * @param recentLimit how many unread notifications {@code recent} carries
 * @param replayPageSize event-log entries read per replay step
 * @param maxTopics topics one connection may subscribe to
 */
public record SseSettings(Duration heartbeatInterval, Duration retry, int maxBufferedEvents, long maxBufferedBytes,
                          int recentLimit, int replayPageSize, int maxTopics) {

    /** Checks the values. */
    public SseSettings {
        positive("heartbeat-interval", heartbeatInterval);
        if (retry.isNegative()) {
            throw new IllegalArgumentException("channels.sse.retry must not be negative, got " + retry);
        }
        positive("max-buffered-events", maxBufferedEvents);
        positive("max-buffered-bytes", maxBufferedBytes);
        if (recentLimit < 0 || recentLimit > 200) {
            throw new IllegalArgumentException("channels.sse.recent-limit must be between 0 and 200, got " + recentLimit);
        }
        positive("replay-page-size", replayPageSize);
        positive("max-topics", maxTopics);
    }

    /** The defaults. */
    public static SseSettings defaults() {
        return from(Config.empty());
    }

    /** Reads the channel's configuration node; unknown keys are ignored. */
    public static SseSettings from(Config c) {
        return new SseSettings(
                c.getDuration("heartbeat-interval", Duration.ofSeconds(30)),
                c.getDuration("retry", Duration.ofSeconds(3)),
                c.getInt("max-buffered-events", 1024),
                c.getLong("max-buffered-bytes", 1024 * 1024),
                c.getInt("recent-limit", 10),
                c.getInt("replay-page-size", 200),
                c.getInt("max-topics", 64));
    }

    private static void positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("channels.sse." + key + " must be positive, got " + d);
        }
    }

    private static void positive(String key, long n) {
        if (n < 1) {
            throw new IllegalArgumentException("channels.sse." + key + " must be at least 1, got " + n);
        }
    }
}
