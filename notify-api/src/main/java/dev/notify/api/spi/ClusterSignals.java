package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.Audience;

/**
 * An engine that carries {@link ClusterSignal}s between the nodes that share one store: the
 * in-process one of {@code notify-core} (one node, nothing to carry), PostgreSQL
 * {@code LISTEN/NOTIFY} ({@code notify-cluster-postgres}), a Redis pub/sub bus. Created by its
 * {@link ClusterSignalProvider}; what it receives from other nodes it hands to
 * {@link ClusterContext#received}.
 *
 * <p>The host coalesces before it sends: {@link #send} gets a {@link ClusterMessage} holding at most
 * a few signals whose {@link ClusterMessage#toWire() wire form} is at most
 * {@link ClusterMessage#MAX_WIRE_CHARS} characters, at most one call at a time. An engine may send
 * the message as one payload (a broadcast bus) or route each signal by its audience (per-user
 * channels); it must not block the caller for long and must never throw for a lost connection
 * (it reconnects by itself, and calls {@link ClusterContext#resync} once it is back).
 *
 * <p>Interest: the host calls {@link #interest} when this node's first connection for a user or a
 * topic opens and {@link #noInterest} when its last one closes, so an engine with per-user
 * channels subscribes only to what the node serves. Both are called while the host's subscriber
 * registry is locked (so that a close cannot overtake the open of the same user): they must return
 * at once, handing the (un)subscription to the engine's own thread. A broadcast engine ignores both.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public interface ClusterSignals extends AutoCloseable {

    /** Sends the signals to the other nodes (this node need not receive them back). */
    void send(ClusterMessage message);

    /** This node now serves a connection of the user or topic (a topic may be a {@code prefix:*} pattern). */
    default void interest(Audience audience) {
    }

    /** This node no longer serves any connection of the user or topic. */
    default void noInterest(Audience audience) {
    }

    /**
     * Whether the host should hand this engine {@link ClusterSignal.LiveEntry}s (the entries themselves,
     * for receivers to push without reading the log) instead of plain {@link ClusterSignal.LogAppended}s
     * for users' entries. Off by default: a bus that every node hears would carry every body to every
     * node. An engine that says yes routes each one by its audience, like a {@code LogAppended}.
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.5")
    default boolean carriesEntries() {
        return false;
    }

    /** Whether signals flow now; false while reconnecting (the host then relies on its poll). */
    boolean connected();

    /** A short description for logs and the node registry, such as {@code "postgres LISTEN notify_signals"}. */
    String describe();

    /** Stops receiving and releases connections and threads. Never throws. */
    @Override
    void close();
}
