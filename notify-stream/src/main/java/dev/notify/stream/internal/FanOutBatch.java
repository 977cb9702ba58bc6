package dev.notify.stream.internal;

/**
 * The connections one entry's fan-out reached, written by one or more threads.
 *
 * @param <C> the connection type
 */
public interface FanOutBatch<C> {

    /** A connection queued the entry's frame (called by the delivering thread, in the hub's order). */
    void add(C connection);

    /** The hub's fan-out ended (normally or not): writes whatever is still unwritten before returning or on writer threads. */
    void finish();
}
