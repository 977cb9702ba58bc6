package dev.notify.stream;

import dev.notify.api.Api;

/**
 * A live connection of a stream channel, as {@link LiveFanOut} sees it: something with a client
 * id that can write out what it has queued.
 *
 * <p>During a fan-out a connection only queues the entry's frame and hands itself to
 * {@link LiveFanOut#defer}; the fan-out then calls {@link #writeQueued()} once the hub has reached
 * it, from the delivering thread or a writer thread, so a broadcast's socket writes are spread
 * over the cores.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public interface StreamConnection {

    /** The connection's client id, for log lines. */
    String clientId();

    /**
     * Writes what the connection has queued, as far as the transport takes it without blocking
     * (or starts the asynchronous send of it). May run on any thread; must keep the queue's order.
     */
    void writeQueued();
}
