package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A delivery channel, created by a {@link ChannelProvider}. Implementations must be
 * thread-safe: the engine's workers call {@link #deliver} concurrently.
 *
 * <p>A delivery must not throw: report failures as a {@link DeliveryResult}. An exception
 * escaping {@code deliver} is treated as {@link DeliveryResult#retryLater(String)} with the
 * exception's message; an attempt that outlives the engine's timeout is treated the same way.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Channel extends AutoCloseable {

    /** The channel name; equal to its provider's {@link ChannelProvider#name()}. */
    String name();

    /** Whether this is a stream or a push channel; see {@link ChannelKind}. */
    ChannelKind kind();

    /** Whether this channel can deliver to the given target (a user id for most channels). */
    default boolean supports(String target) {
        return true;
    }

    /**
     * The targets this notification should be delivered to through this channel. The default:
     * {@link Delivery#STREAM_TARGET} for stream channels, otherwise the recipients this channel
     * {@linkplain #supports supports}. A webhook channel returns the ids of the endpoints whose
     * filters match, for example. An empty set means this channel does not carry the notification.
     */
    default Set<String> targets(Notification notification) {
        if (kind() == ChannelKind.STREAM) {
            return Set.of(Delivery.STREAM_TARGET);
        }
        Set<String> targets = new LinkedHashSet<>();
        for (String r : notification.recipients()) {
            if (supports(r)) {
                targets.add(r);
            }
        }
        return targets;
    }

    /**
     * Makes one attempt at one delivery.
     *
     * @return sent, retry later, or failed for good
     */
    DeliveryResult deliver(Delivery delivery);

    /** Releases the channel's threads, connections and subscriptions. Must not throw. */
    @Override
    default void close() {
    }
}
