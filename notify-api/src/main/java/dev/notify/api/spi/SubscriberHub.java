package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.EventLogEntry;

import java.util.List;

/**
 * The registry of live subscribers (open SSE streams, WebSocket sessions, waiting long polls)
 * of this process. Stream channels register their connections here and fan out events to them;
 * the engine sends {@link HubSignal}s (inbox counts changed, shutting down) to every connection
 * of a user, whatever its channel.
 *
 * <p>Matching: an entry for user {@code u} reaches every subscription of {@code u}; an entry for
 * topic {@code t} reaches every subscription whose topics include {@code t} or a pattern matching it.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface SubscriberHub {

    /**
     * Registers a subscriber.
     *
     * @throws TooManyConnectionsException when the user already holds the configured maximum of connections
     */
    Subscription subscribe(SubscriptionRequest request, Subscriber subscriber);

    /**
     * Hands an entry to every matching subscriber of the named channel, in the caller's thread.
     * Subscribers must not block (they buffer, or drop themselves when too slow).
     *
     * @return how many subscribers it was handed to
     */
    int fanOut(String channel, EventLogEntry entry);

    /** Hands a signal to every subscriber of the user, on every channel. */
    void signal(String userId, HubSignal signal);

    /** Hands a signal to every subscriber of every user (for example, shutting down). */
    void signalAll(HubSignal signal);

    /** A snapshot of the live connections. */
    List<ConnectionInfo> connections();

    /** How many live connections the user holds, on every channel. */
    int connectionCount(String userId);

    /** Thrown by {@link #subscribe} when a user is over the per-user connection limit. */
    final class TooManyConnectionsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** An error naming the user and the limit. */
        public TooManyConnectionsException(String userId, int limit) {
            super("user " + userId + " already holds " + limit + " live connections, the most allowed");
        }
    }
}
