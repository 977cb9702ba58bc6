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
     * Writes what the connection has queued, as far as the transport takes it without blocking
     * (or starts the asynchronous send of it). May run on any thread; must keep the queue's order.
     */
    public abstract void writeQueued();
}
