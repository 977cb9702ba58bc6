package dev.notify.core;

import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignals;

/**
 * The default cluster signal engine, for one node: nothing to carry, since the node's own parts
 * wake each other directly. Several nodes on one database still work with it, at the pace of
 * their polls (the stream poll interval and the claim poll interval), except that a node does not
 * push {@code stats} to its users for what other nodes published (it takes itself to be alone);
 * use a real engine (PostgreSQL's is picked when the store is PostgreSQL) for several nodes.
 */
public final class InProcessSignals implements ClusterSignals {

    /** The engine's name, {@value}. */
    public static final String NAME = "in-process";

    @Override
    public void send(ClusterMessage message) {
        // one node: the sender itself woke its tailer and tracker already
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public String describe() {
        return NAME + " (one node; other nodes are seen at their poll interval)";
    }

    @Override
    public void close() {
    }
}
