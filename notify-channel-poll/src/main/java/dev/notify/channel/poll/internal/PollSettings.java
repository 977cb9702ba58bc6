package dev.notify.channel.poll.internal;

import dev.notify.api.spi.Config;

import java.time.Duration;

/**
 * The polling channel's configuration ({@code channels.poll.*}).
 *
 * @param maxWait the longest {@code wait} a request may ask for
 * @param defaultLimit events per answer when the request names no {@code limit}
 * @param maxLimit the largest {@code limit}
 * @param maxTopics topics one request may name
 */
public record PollSettings(Duration maxWait, int defaultLimit, int maxLimit, int maxTopics) {

    /** Checks the values. */
    public PollSettings {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("channels.poll.max-wait must not be negative, got " + maxWait);
        }
        if (maxLimit < 1) {
            throw new IllegalArgumentException("channels.poll.max-limit must be at least 1, got " + maxLimit);
        }
        if (defaultLimit < 1 || defaultLimit > maxLimit) {
            throw new IllegalArgumentException("channels.poll.default-limit must be between 1 and max-limit (" + maxLimit
                    + "), got " + defaultLimit);
        }
        if (maxTopics < 1) {
            throw new IllegalArgumentException("channels.poll.max-topics must be at least 1, got " + maxTopics);
        }
    }

    /** The defaults. */
    public static PollSettings defaults() {
        return from(Config.empty());
    }

    /** Reads the channel's configuration node. */
    public static PollSettings from(Config c) {
        return new PollSettings(c.getDuration("max-wait", Duration.ofSeconds(60)), c.getInt("default-limit", 100),
                c.getInt("max-limit", 1000), c.getInt("max-topics", 64));
    }
}
