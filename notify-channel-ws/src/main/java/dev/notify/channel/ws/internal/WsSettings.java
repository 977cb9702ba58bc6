package dev.notify.channel.ws.internal;

import dev.notify.api.spi.Config;

import java.time.Duration;

/**
 * The WebSocket channel's configuration ({@code channels.ws.*}), validated once at start.
 *
 * @param maxFrameBytes the largest client message accepted; larger ones close the connection with 1009
 * @param maxBufferedEvents the most frames one connection may hold unsent
 * @param maxBufferedBytes the most characters one connection may hold unsent
 * @param pingInterval how long a connection may be silent before it is pinged
 * @param pongTimeout how long a ping may go unanswered before the connection is closed as dead
 * @param replayPageSize event-log entries read per replay step
 * @param maxTopics topics one connection may subscribe to
 * @param resumeTtl how long a closed connection's position is kept for a resume by client id
 * @param resumeLedgerSize how many closed connections' positions are kept
 */
public record WsSettings(int maxFrameBytes, int maxBufferedEvents, long maxBufferedBytes, Duration pingInterval,
                         Duration pongTimeout, int replayPageSize, int maxTopics, Duration resumeTtl, int resumeLedgerSize) {

    /** Checks the values. */
    public WsSettings {
        if (maxFrameBytes < 256) {
            throw new IllegalArgumentException("channels.ws.max-frame-bytes must be at least 256, got " + maxFrameBytes);
        }
        positive("max-buffered-events", maxBufferedEvents);
        positive("max-buffered-bytes", maxBufferedBytes);
        positive("ping-interval", pingInterval);
        positive("pong-timeout", pongTimeout);
        positive("replay-page-size", replayPageSize);
        positive("max-topics", maxTopics);
        positive("resume-ttl", resumeTtl);
        if (resumeLedgerSize < 0) {
            throw new IllegalArgumentException("channels.ws.resume-ledger-size must not be negative, got " + resumeLedgerSize);
        }
    }

    /** The defaults. */
    public static WsSettings defaults() {
        return from(Config.empty());
    }

    /** Reads the channel's configuration node; unknown keys are ignored. */
    public static WsSettings from(Config c) {
        return new WsSettings(
                c.getInt("max-frame-bytes", 64 * 1024),
                c.getInt("max-buffered-events", 1024),
                c.getLong("max-buffered-bytes", 1024 * 1024),
                c.getDuration("ping-interval", Duration.ofSeconds(30)),
                c.getDuration("pong-timeout", Duration.ofSeconds(10)),
                c.getInt("replay-page-size", 200),
                c.getInt("max-topics", 64),
                c.getDuration("resume-ttl", Duration.ofMinutes(5)),
                c.getInt("resume-ledger-size", 10_000));
    }

    private static void positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("channels.ws." + key + " must be positive, got " + d);
        }
    }

    private static void positive(String key, long n) {
        if (n < 1) {
            throw new IllegalArgumentException("channels.ws." + key + " must be at least 1, got " + n);
        }
    }
}
