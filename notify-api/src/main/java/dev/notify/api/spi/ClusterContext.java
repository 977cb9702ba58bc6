package dev.notify.api.spi;

import dev.notify.api.Api;

/**
 * What the host gives a {@link ClusterSignals} engine: who this node is, the engine's configuration
 * and where to hand what it receives.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public interface ClusterContext {

    /** This node's id; a message whose {@link ClusterMessage#origin()} is this id is this node's own. */
    String nodeId();

    /**
     * The engine's configuration node ({@code cluster.<name>.*}). A host with a JDBC store sets
     * {@code jdbc-url}, {@code jdbc-user} and {@code jdbc-password} there for engines that need the database.
     */
    Config config();

    /**
     * Hands a message received from another node to the host. Returns quickly (the host only
     * wakes its own threads); messages of this node itself are ignored.
     */
    void received(ClusterMessage message);

    /**
     * Tells the host that signals may have been lost (a reconnect, an overflow): it catches up
     * from the event log and the delivery rows as if every kind of signal had arrived.
     */
    void resync(String reason);

    /** Metrics, to count reconnects and the like. */
    Metrics metrics();
}
