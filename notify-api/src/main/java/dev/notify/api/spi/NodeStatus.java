package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Instant;
import java.util.Objects;

/**
 * One node of a cluster as the node registry shows it: who it is, where, since when, how alive and
 * how busy. Each node writes its own row through {@link NotificationStore#heartbeat}; a node whose
 * heartbeat stopped is shown as gone, not removed (an operator wants to see that it died).
 *
 * @param nodeId the node's id (the owner of its leases)
 * @param address where it serves, such as {@code http://10.0.0.5:8080}, or empty text when unknown
 * @param startedAt when it started
 * @param heartbeatAt its last heartbeat
 * @param connections its live stream connections at that heartbeat
 * @param claimedDeliveries the deliveries it held (queued, parked or running) at that heartbeat
 * @param stopped whether it shut down cleanly
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public record NodeStatus(String nodeId, String address, Instant startedAt, Instant heartbeatAt, int connections,
                         int claimedDeliveries, boolean stopped) {

    /** Validates the components. */
    public NodeStatus {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    }

    /** Whether the node counts as alive at {@code now}: not stopped, and heard from within {@code grace}. */
    public boolean aliveAt(Instant now, java.time.Duration grace) {
        return !stopped && !heartbeatAt.plus(grace).isBefore(now);
    }
}
