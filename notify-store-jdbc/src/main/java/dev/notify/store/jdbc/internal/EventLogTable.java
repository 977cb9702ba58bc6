package dev.notify.store.jdbc.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.spi.Retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reading and pruning the event log (appends are done by {@link Publisher}). Readers see entries up
 * to {@link Durability#durableSequence()} only: on H2 a committed entry is visible a moment before
 * it is on disk, and a client must never be handed a sequence that a crash could give to another
 * notification.
 */
public final class EventLogTable {

    private final Database db;

    public EventLogTable(Database db) {
        this.db = db;
    }

    public EventLogSlice readAfter(long after, String userId, Set<String> topics, int limit) {
        if (after < 0) {
            throw new IllegalArgumentException("afterSequence must not be negative, got " + after);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        List<String> exact = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        boolean allTopics = false;
        for (String t : topics) {
            if (t.equals("*")) {
                allTopics = true;
            } else if (t.endsWith("*")) {
                prefixes.add(likeEscape(t.substring(0, t.length() - 1)) + "%");
            } else {
                exact.add(t);
            }
        }
        boolean anyUser = userId != null && !userId.isEmpty();
        StringBuilder where = new StringBuilder();
        if (anyUser) {
            where.append("e.user_id = ?");
        }
        if (allTopics) {
            where.append(where.length() > 0 ? " OR " : "").append("e.topic IS NOT NULL");
        } else {
            if (!exact.isEmpty()) {
                where.append(where.length() > 0 ? " OR " : "").append("e.topic IN (").append(Sql.placeholders(exact.size())).append(')');
            }
            for (int i = 0; i < prefixes.size(); i++) {
                where.append(where.length() > 0 ? " OR " : "").append("e.topic LIKE ? ESCAPE '!'");
            }
        }
        boolean all = allTopics;
        return db.read("reading the event log", c -> {
            long durable = db.durability().durableSequence();
            long[] state = state(c);
            long latest = Math.min(state[0], durable);
            boolean pruned = after < state[1];
            List<EventLogEntry> entries = new ArrayList<>();
            if (where.length() > 0) {
                boolean bounded = durable < Long.MAX_VALUE;
                String sql = "SELECT e.seq, e.user_id, e.topic, " + Rows.NOTIFICATION_COLUMNS
                        + " FROM notify_event e JOIN notify_notification n ON n.id = e.notification_id"
                        + " WHERE e.seq > ?" + (bounded ? " AND e.seq <= ?" : "") + " AND (" + where + ") ORDER BY e.seq LIMIT ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int i = 1;
                    ps.setLong(i++, after);
                    if (bounded) {
                        ps.setLong(i++, durable);
                    }
                    if (anyUser) {
                        ps.setString(i++, userId);
                    }
                    if (!all) {
                        for (String t : exact) {
                            ps.setString(i++, t);
                        }
                        for (String p : prefixes) {
                            ps.setString(i++, p);
                        }
                    }
                    ps.setInt(i, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long seq = rs.getLong(1);
                            String user = rs.getString(2);
                            Audience audience = user != null ? Audience.user(user) : Audience.topic(rs.getString(3));
                            entries.add(new EventLogEntry(seq, audience, Rows.notification(rs, 4)));
                        }
                    }
                }
            }
            // The state was read first: entries committed since then may be newer than it.
            if (!entries.isEmpty()) {
                latest = Math.max(latest, entries.get(entries.size() - 1).sequence());
            }
            return new EventLogSlice(entries, latest, pruned);
        });
    }

    /** Every entry after {@code after}, oldest first; appends are serialised on the log-state row, so no gap fills in later. */
    public EventLogSlice readAll(long after, int limit) {
        if (after < 0) {
            throw new IllegalArgumentException("afterSequence must not be negative, got " + after);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return db.read("reading the event log", c -> {
            long[] state = state(c);
            long latest = Math.min(state[0], db.durability().durableSequence());
            boolean pruned = after < state[1];
            List<EventLogEntry> entries = new ArrayList<>();
            if (after < latest) {
                String sql = "SELECT e.seq, e.user_id, e.topic, " + Rows.NOTIFICATION_COLUMNS
                        + " FROM notify_event e JOIN notify_notification n ON n.id = e.notification_id"
                        + " WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, after);
                    ps.setLong(2, latest);
                    ps.setInt(3, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long seq = rs.getLong(1);
                            String user = rs.getString(2);
                            Audience audience = user != null ? Audience.user(user) : Audience.topic(rs.getString(3));
                            entries.add(new EventLogEntry(seq, audience, Rows.notification(rs, 4)));
                        }
                    }
                }
            }
            return new EventLogSlice(entries, latest, pruned);
        });
    }

    /**
     * The audience's newest sequence below {@code sequence} (an index range read); appends are
     * serialised on the log-state row, so once {@code sequence} is committed nothing below it commits later.
     */
    public long sequenceBefore(Audience audience, long sequence) {
        String column = audience instanceof Audience.User ? "user_id" : "topic";
        String id = audience instanceof Audience.User u ? u.userId() : ((Audience.Topic) audience).topic();
        return db.read("reading the event log", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(seq) FROM notify_event WHERE " + column + " = ? AND seq < ?")) {
                ps.setString(1, id);
                ps.setLong(2, sequence);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    public long latestSequence() {
        return db.read("reading the event log", c -> Math.min(state(c)[0], db.durability().durableSequence()));
    }

    private static long[] state(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, pruned_through FROM notify_log_state WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** Sent and cancelled deliveries last updated before the cutoff. */
    private static final String OLD_DELIVERIES =
            "SELECT id FROM notify_delivery WHERE status IN ('sent', 'cancelled') AND updated_at < ?";

    /** Notifications created before the cutoff with no pending or retrying delivery. */
    private static final String OLD_NOTIFICATIONS = "SELECT n.id FROM notify_notification n WHERE n.created_at < ?"
            + " AND NOT EXISTS (SELECT 1 FROM notify_delivery a WHERE a.notification_id = n.id"
            + " AND a.status IN ('pending', 'retrying'))";

    /** The deliveries of those notifications that are not pending or retrying. */
    private static final String DELIVERIES_OF_OLD_NOTIFICATIONS = "SELECT d.id FROM notify_delivery d"
            + " WHERE d.status NOT IN ('pending', 'retrying') AND d.notification_id IN (" + OLD_NOTIFICATIONS + ")";

    /**
     * Removes sent and cancelled deliveries past their age and old notifications with their inbox
     * items, deliveries and attempts (child rows first); entries older than the age limit (or whose
     * notification is removed) or beyond the count limit; and idempotency keys past their window.
     * Remembers how far it pruned so that readers learn of the gap. One transaction.
     */
    public long prune(Instant now, Retention retention) {
        return db.inTransaction("pruning the event log", c -> {
            long deliveryCutoff = Sql.nanos(now.minus(retention.deliveryMaxAge()));
            long notificationCutoff = Sql.nanos(now.minus(retention.notificationMaxAge()));
            update(c, "DELETE FROM notify_attempt WHERE delivery_id IN (" + OLD_DELIVERIES + ")", deliveryCutoff);
            update(c, "DELETE FROM notify_delivery WHERE status IN ('sent', 'cancelled') AND updated_at < ?", deliveryCutoff);
            update(c, "DELETE FROM notify_attempt WHERE delivery_id IN (" + DELIVERIES_OF_OLD_NOTIFICATIONS + ")", notificationCutoff);
            update(c, "DELETE FROM notify_delivery WHERE status NOT IN ('pending', 'retrying')"
                    + " AND notification_id IN (" + OLD_NOTIFICATIONS + ")", notificationCutoff);
            update(c, "DELETE FROM notify_inbox WHERE notification_id IN (" + OLD_NOTIFICATIONS + ")", notificationCutoff);
            update(c, "DELETE FROM notify_idempotency WHERE notification_id IN (" + OLD_NOTIFICATIONS + ")", notificationCutoff);
            update(c, "DELETE FROM notify_notification WHERE id IN (" + OLD_NOTIFICATIONS + ")", notificationCutoff);

            long[] state = state(c);
            long last = state[0];
            long through = Math.max(0, last - retention.eventMaxCount());
            // a removed notification's entries go too: readers join entries to their notification
            Instant eventCutoff = now.minus(retention.eventMaxAge().compareTo(retention.notificationMaxAge()) <= 0
                    ? retention.eventMaxAge() : retention.notificationMaxAge());
            long ageCutoff = Sql.nanos(eventCutoff);
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(seq) FROM notify_event WHERE created_at < ?")) {
                ps.setLong(1, ageCutoff);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        through = Math.max(through, rs.getLong(1));
                    }
                }
            }
            long removed = 0;
            if (through > 0) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM notify_event WHERE seq <= ?")) {
                    ps.setLong(1, through);
                    removed = ps.executeUpdate();
                }
            }
            if (through > state[1]) {
                // The row publishers lock to take sequences: a prune waits for in-flight appends (rare, short).
                try (PreparedStatement ps = c.prepareStatement("UPDATE notify_log_state SET pruned_through = ? WHERE id = 1")) {
                    ps.setLong(1, through);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM notify_idempotency WHERE created_at < ?")) {
                ps.setLong(1, Sql.nanos(now.minus(retention.idempotencyWindow())));
                ps.executeUpdate();
            }
            return removed;
        });
    }

    private static int update(Connection c, String sql, long cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, cutoff);
            return ps.executeUpdate();
        }
    }

    private static String likeEscape(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
