package dev.notify.store.jdbc.internal;

import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Page;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Users' inboxes. Every statement carries {@code user_id = ?}, so another user's notification id
 * is simply not found. Pages are keyset-paged on (created_at, ord) newest first: a cursor stays
 * valid while items are added or deleted.
 */
public final class Inboxes {

    /** Ids per {@code IN (...)} list: well under every driver's parameter limit. */
    private static final int CHUNK = 500;

    private final Database db;

    public Inboxes(Database db) {
        this.db = db;
    }

    public Page<InboxItem> list(InboxQuery q) {
        Optional<long[]> after = q.cursor().map(s -> Cursors.decode("inbox", s));
        String sql = "SELECT i.created_at, i.ord, i.read_at, " + Rows.NOTIFICATION_COLUMNS
                + " FROM notify_inbox i JOIN notify_notification n ON n.id = i.notification_id WHERE i.user_id = ?"
                + (q.unreadOnly() ? " AND i.read_at IS NULL" : "")
                + (after.isPresent() ? " AND (i.created_at, i.ord) < (?, ?)" : "")
                + " ORDER BY i.created_at DESC, i.ord DESC LIMIT ?";
        return db.read("reading an inbox", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, q.userId());
                if (after.isPresent()) {
                    ps.setLong(i++, after.get()[0]);
                    ps.setLong(i++, after.get()[1]);
                }
                ps.setInt(i, q.limit() + 1);
                List<InboxItem> items = new ArrayList<>();
                long lastCreated = 0;
                long lastOrd = 0;
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (items.size() == q.limit()) {
                            more = true;
                            break;
                        }
                        lastCreated = rs.getLong(1);
                        lastOrd = rs.getLong(2);
                        Optional<Instant> readAt = Sql.instant(rs, "read_at");
                        items.add(new InboxItem(q.userId(), Rows.notification(rs, 4), readAt.isPresent(), readAt));
                    }
                }
                return new Page<>(items, more ? Optional.of(Cursors.encode("inbox", lastCreated, lastOrd)) : Optional.empty());
            }
        });
    }

    public InboxStats stats(String userId) {
        return db.read("counting an inbox", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COUNT(read_at) FROM notify_inbox WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long total = rs.getLong(1);
                    long read = rs.getLong(2);
                    return new InboxStats(total, total - read, read);
                }
            }
        });
    }

    public int mark(String userId, Collection<String> ids, boolean read, Instant now) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        if (distinct.isEmpty()) {
            return 0;
        }
        return db.inTransaction("marking notifications " + (read ? "read" : "unread"), c -> {
            int changed = 0;
            for (int from = 0; from < distinct.size(); from += CHUNK) {
                List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
                String sql = read
                        ? "UPDATE notify_inbox SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND notification_id IN ("
                        : "UPDATE notify_inbox SET read_at = NULL WHERE user_id = ? AND read_at IS NOT NULL AND notification_id IN (";
                try (PreparedStatement ps = c.prepareStatement(sql + Sql.placeholders(chunk.size()) + ")")) {
                    int i = 1;
                    if (read) {
                        ps.setLong(i++, Sql.nanos(now));
                    }
                    ps.setString(i++, userId);
                    for (String id : chunk) {
                        ps.setString(i++, id);
                    }
                    changed += ps.executeUpdate();
                }
            }
            return changed;
        });
    }

    public int markAllRead(String userId, Instant now) {
        return db.write("marking all notifications read", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE notify_inbox SET read_at = ? WHERE user_id = ? AND read_at IS NULL")) {
                ps.setLong(1, Sql.nanos(now));
                ps.setString(2, userId);
                return ps.executeUpdate();
            }
        });
    }

    public int delete(String userId, Collection<String> ids) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        if (distinct.isEmpty()) {
            return 0;
        }
        return db.inTransaction("deleting notifications", c -> {
            int deleted = 0;
            for (int from = 0; from < distinct.size(); from += CHUNK) {
                List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM notify_inbox WHERE user_id = ? AND notification_id IN ("
                        + Sql.placeholders(chunk.size()) + ")")) {
                    ps.setString(1, userId);
                    int i = 2;
                    for (String id : chunk) {
                        ps.setString(i++, id);
                    }
                    deleted += ps.executeUpdate();
                }
            }
            return deleted;
        });
    }
}
