package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A delivery channel, created by a {@link ChannelProvider}. Implementations must be
 * thread-safe: the engine calls {@link #deliver} from several threads at once.
 *
 * <p>A delivery must not throw: report failures as a {@link DeliveryResult}. An exception
 * escaping {@code deliver} is treated as {@link DeliveryResult#retryLater(String)} with the
 * exception as the reason; an attempt that outlives the engine's deadline (the delivery timeout,
 * 30 s by default) is recorded as timed out and retried per policy.
 *
 * <h2>Blocking or asynchronous</h2>
 * A push channel that implements only {@code deliver} is a <em>blocking</em> channel: the engine
 * runs its attempts on the channel's own threads, at most {@code channels.<name>.max-concurrency}
 * at once (default: one less than the engine's workers), never on the shared workers, so a plugin
 * that blocks, even forever, delays only its own deliveries. At the deadline the engine interrupts
 * the thread (so wait interruptibly where you can) and carries on without it; a thread that does
 * not come back is replaced, up to {@code channels.<name>.max-stuck-threads} (default: its
 * {@code max-concurrency}), after which the channel's deliveries wait, without costing attempts,
 * until a stuck thread returns. Blocking is the right choice for a simple plugin, for a library
 * that only offers blocking calls, and for quick local work (a file, a local socket).
 *
 * <p>A channel that talks to a network service through a non-blocking client should implement
 * {@link AsyncChannel} instead: an attempt in flight then holds no thread at all, and thousands
 * may wait on slow receivers at the cost of their request state only.
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
     * The set is the caller's to read, not to change (the default's may be unmodifiable).
     */
    default Set<String> targets(Notification notification) {
        if (kind() == ChannelKind.STREAM) {
            return Set.of(Delivery.STREAM_TARGET);
        }
        List<String> recipients = notification.recipients();
        if (recipients.size() == 1) {
            // the common case, once per channel and publish: no set of one built from a hash map
            String only = recipients.get(0);
            return supports(only) ? Set.of(only) : Set.of();
        }
        Set<String> targets = new LinkedHashSet<>();
        for (String r : recipients) {
            if (supports(r)) {
                targets.add(r);
            }
        }
        return targets;
    }

    /**
     * Makes one attempt at one delivery. Called on one of the channel's own threads; it may block
     * until the attempt's outcome is known.
     *
     * @return sent, retry later, deferred, or failed for good
     */
    DeliveryResult deliver(Delivery delivery);

    /** Releases the channel's threads, connections and subscriptions. Must not throw. */
    @Override
    default void close() {
    }
}
