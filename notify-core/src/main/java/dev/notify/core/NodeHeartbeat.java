package dev.notify.core;

import dev.notify.api.spi.NodeStatus;
import dev.notify.api.spi.NotificationStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Keeps this node's row of the node registry current: who it is, where it serves, its live
 * connections and the deliveries it holds, every {@link #INTERVAL}; marks it stopped at a clean
 * shutdown. The first heartbeat is written while the engine starts, so a store that serves only
 * one node (H2) refuses a second one then, with its reason. Calls only the store.
 */
final class NodeHeartbeat {

    /** How often the row is written; a node silent for three of these counts as gone. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(NodeHeartbeat.class.getName());

    private final NotificationStore store;
    private final Clock clock;
    private final String nodeId;
    private final Instant startedAt;
    private final IntSupplier connections;
    private final IntSupplier claimed;
    private volatile String address = "";
    private volatile ScheduledFuture<?> task;
    private volatile boolean warned;

    NodeHeartbeat(NotificationStore store, Clock clock, String nodeId, IntSupplier connections, IntSupplier claimed) {
        this.store = store;
        this.clock = clock;
        this.nodeId = nodeId;
        this.startedAt = clock.instant();
        this.connections = connections;
        this.claimed = claimed;
    }

    /** Writes the first heartbeat (its failure fails the start) and schedules the others. */
    void start(ScheduledExecutorService scheduler) {
        store.heartbeat(status(false));
        long ms = INTERVAL.toMillis();
        task = scheduler.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Where this node serves, shown in the registry from the next heartbeat on. */
    void advertise(String where) {
        this.address = where;
        beat();
    }

    private NodeStatus status(boolean stopped) {
        return new NodeStatus(nodeId, address, startedAt, clock.instant(), connections.getAsInt(), claimed.getAsInt(), stopped);
    }

    private void beat() {
        try {
            store.heartbeat(status(false));
            warned = false;
        } catch (Throwable e) {
            // a periodic task that throws is never run again; the database may be down for a while
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "could not write this node's heartbeat; will try again: " + e.getMessage());
            }
        }
    }

    /** Stops the heartbeats and marks the node stopped. */
    void stop() {
        ScheduledFuture<?> t = task;
        if (t == null) {
            return;
        }
        t.cancel(false);
        task = null;
        try {
            store.heartbeat(status(true));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not mark this node stopped in the registry", e);
        }
    }
}
