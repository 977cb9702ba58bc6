package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.NodeStatus;
import dev.notify.api.spi.StoreException;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node registry ({@code notify_node}) and the leads of once-per-cluster chores
 * ({@code notify_lead}). H2 is single-node (its claims are serialised by a lock in one process):
 * on an H2 database that several processes can open (H2's TCP server, {@code AUTO_SERVER}) the
 * first heartbeat of a node is refused while another node's heartbeat is fresh. An embedded H2
 * file needs no such check: H2 locks it for one process, and a node restarted after a crash must
 * not wait for its own old heartbeat to go stale.
 */
public final class Nodes {

    /** How long a node whose heartbeat stopped still counts as alive (three heartbeats of the engine). */
    public static final Duration GRACE = Duration.ofSeconds(15);

    private static final String COLUMNS = "id, address, started_at, heartbeat_at, connections, claimed, stopped";

    private final Database db;
    private final String safeUrl;
    private final Set<String> checked = ConcurrentHashMap.newKeySet();
    private final boolean sharedH2;

    /**
     * @param safeUrl the database URL for messages, without password
     * @param url the full URL, options included (AUTO_SERVER)
     */
    public Nodes(Database db, String safeUrl, String url) {
        this.db = db;
        this.safeUrl = safeUrl;
        String u = url.toUpperCase(java.util.Locale.ROOT);
        this.sharedH2 = db.dialect() == Dialect.H2 && (u.startsWith("JDBC:H2:TCP:") || u.startsWith("JDBC:H2:SSL:")
                || u.contains("AUTO_SERVER=TRUE"));
    }

    public void heartbeat(NodeStatus s) {
        if (sharedH2 && !s.stopped() && !checked.contains(s.nodeId())) {
            for (NodeStatus other : nodes()) {
                if (!other.nodeId().equals(s.nodeId()) && other.aliveAt(s.heartbeatAt(), GRACE)) {
                    throw new StoreException("another Notify node (" + other.nodeId()
                            + (other.address().isEmpty() ? "" : " at " + other.address()) + ", last heartbeat " + other.heartbeatAt()
                            + ") uses the H2 database at " + safeUrl + ". H2 is single-node: to run several nodes, point them all "
                            + "at one PostgreSQL database (--db-url jdbc:postgresql://host/db). If that node is gone, "
                            + "start again once its last heartbeat is " + GRACE.toSeconds() + " s old");
                }
            }
            checked.add(s.nodeId());
        }
        db.write("writing the node registry", c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE notify_node SET address = ?, started_at = ?, heartbeat_at = ?, "
                    + "connections = ?, claimed = ?, stopped = ? WHERE id = ?")) {
                bind(ps, s);
                ps.setString(7, s.nodeId());
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO notify_node (address, started_at, heartbeat_at, "
                        + "connections, claimed, stopped, id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    bind(ps, s);
                    ps.setString(7, s.nodeId());
                    n = ps.executeUpdate();
                }
            }
            return n;
        });
    }

    private static void bind(PreparedStatement ps, NodeStatus s) throws SQLException {
        ps.setString(1, Sql.truncate(s.address(), 512));
        ps.setLong(2, Sql.nanos(s.startedAt()));
        ps.setLong(3, Sql.nanos(s.heartbeatAt()));
        ps.setInt(4, s.connections());
        ps.setInt(5, s.claimedDeliveries());
        ps.setBoolean(6, s.stopped());
    }

    public List<NodeStatus> nodes() {
        return db.read("reading the node registry", c -> {
            List<NodeStatus> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM notify_node ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NodeStatus(rs.getString(1), rs.getString(2), Sql.instant(rs.getLong(3)), Sql.instant(rs.getLong(4)),
                            rs.getInt(5), rs.getInt(6), rs.getBoolean(7)));
                }
            }
            return out;
        });
    }

    public boolean tryLead(String task, String owner, Instant now, Duration term) {
        long until = Sql.nanos(now.plus(term));
        int taken = db.write("taking the lead of " + task, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE notify_lead SET owner = ?, lead_until = ? "
                    + "WHERE task = ? AND (owner = ? OR lead_until <= ?)")) {
                ps.setString(1, owner);
                ps.setLong(2, until);
                ps.setString(3, task);
                ps.setString(4, owner);
                ps.setLong(5, Sql.nanos(now));
                return ps.executeUpdate();
            }
        });
        if (taken > 0) {
            return true;
        }
        try {
            return db.write("taking the lead of " + task, c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO notify_lead (task, owner, lead_until) "
                        + "SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM notify_lead WHERE task = ?)")) {
                    ps.setString(1, task);
                    ps.setString(2, owner);
                    ps.setLong(3, until);
                    ps.setString(4, task);
                    return ps.executeUpdate();
                }
            }) > 0;
        } catch (StoreException e) {
            // another node inserted the row between our update and insert: it leads
            return false;
        }
    }
}
