package dev.notify.stream;

import dev.notify.api.Api;

/**
 * A live connection of a stream channel, as {@link LiveFanOut} sees it: a client of a user that
 * can write out what it has queued.
 *
 * <p>During a fan-out a connection only queues the entry's frame and hands itself to
 * {@link LiveFanOut#defer}; the fan-out then calls {@link #writeQueued()} once the hub has reached
 * it, from the delivering thread or a writer thread, so a broadcast's socket writes are spread
 * over the cores.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public abstract class StreamConnection {

    private final String clientId;
    private final String userId;
    // when the credential the connection was opened with expires; checked by the channel's sweep (StreamChannel)
    private volatile long credentialExpiresAtMillis = Long.MAX_VALUE;

    /** A connection of this client (an id unique among the channel's connections) and user. */
    protected StreamConnection(String clientId, String userId) {
        this.clientId = clientId;
        this.userId = userId;
    }

    /** The connection's client id. */
    public final String clientId() {
        return clientId;
    }

    /** The connection's user. */
    public final String userId() {
        return userId;
    }

    /**
     * Ends the connection when the credential it was opened with expires: within a second after
     * {@code at}, the channel's once-a-second sweep calls {@link #credentialExpired()}. A field
     * checked by one sweep rather than a timer per connection: a timer costs every connection
     * ~170 bytes of heap (a scheduled task, its adapter, a weak reference) and every connect a
     * trip through the shared scheduler's lock.
     */
    public final void endWhenCredentialExpires(java.time.Instant at) {
        credentialExpiresAtMillis = at.toEpochMilli();
    }

    /** Whether the credential the connection was opened with has expired at {@code nowMillis}. */
    final boolean credentialExpiredAt(long nowMillis) {
        return credentialExpiresAtMillis <= nowMillis;
    }

    /**
     * The credential the connection was opened with expired ({@link #endWhenCredentialExpires}):
     * tell the client to authenticate again and end the connection. Called by the channel's sweep,
     * possibly more than once until the connection has left the channel; does nothing unless
     * overridden.
     */
    protected void credentialExpired() {
    }

    /**
     * Writes what the connection has queued, as far as the transport takes it without blocking
     * (or starts the asynchronous send of it). May run on any thread; must keep the queue's order.
     */
    public abstract void writeQueued();
}
