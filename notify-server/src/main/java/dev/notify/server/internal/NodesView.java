package dev.notify.server.internal;

import dev.notify.api.spi.NodeStatus;
import dev.notify.core.NotificationService;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/admin/nodes}: the node registry as an operator reads it. Each node with its
 * address, start, last heartbeat and state ({@code live}; {@code gone} when its heartbeat stopped
 * for {@link #GRACE}; {@code stopped} after a clean shutdown), live connections and claimed
 * deliveries; plus which node answered and its cluster signal engine with the last signal lag.
 */
final class NodesView {

    /** Three missed heartbeats: the node is gone. */
    static final Duration GRACE = Duration.ofSeconds(15);

    private NodesView() {
    }

    static Map<String, Object> of(NotificationService service) {
        Instant now = service.config().clock().instant();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStatus n : service.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeId", n.nodeId());
            m.put("address", n.address());
            m.put("startedAt", n.startedAt().toString());
            m.put("lastHeartbeat", n.heartbeatAt().toString());
            m.put("state", n.stopped() ? "stopped" : n.aliveAt(now, GRACE) ? "live" : "gone");
            m.put("connections", n.connections());
            m.put("claimedDeliveries", n.claimedDeliveries());
            nodes.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("self", service.config().nodeId());
        out.put("signals", service.clusterSignals().describe());
        out.put("signalsConnected", service.clusterSignals().connected());
        out.put("signalLagMs", service.clusterSignalLagMillis());
        out.put("nodes", nodes);
        return out;
    }
}
