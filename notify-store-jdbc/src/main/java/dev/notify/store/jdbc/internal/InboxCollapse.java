package dev.notify.store.jdbc.internal;

import dev.notify.api.Notification;
import dev.notify.api.spi.PublishRequest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inbox rows of notifications with a collapse key: one row per (user, collapse key), which the
 * newest notification of the key takes over in place (its id and time, and unread again unless the
 * request says to keep the read state), or inserts when the user has none yet.
 *
 * <p>Two transactions that both find no row both insert, and the unique index
 * {@code notify_inbox_collapse} fails the later one, which {@link Publisher} runs again: it then
 * finds the row and updates it.
 */
final class InboxCollapse {

    private static final String TAKE_OVER_UNREAD = "UPDATE notify_inbox SET notification_id = ?, created_at = ?, read_at = NULL "
            + "WHERE user_id = ? AND collapse_key = ?";
    private static final String TAKE_OVER_KEEP_READ = "UPDATE notify_inbox SET notification_id = ?, created_at = ? "
            + "WHERE user_id = ? AND collapse_key = ?";
    // on H2 the row of a (user, key) is found through collapse_user, the column its index holds (migration V8)
    private static final String TAKE_OVER_UNREAD_H2 = TAKE_OVER_UNREAD.replace("WHERE user_id", "WHERE collapse_user");
    private static final String TAKE_OVER_KEEP_READ_H2 = TAKE_OVER_KEEP_READ.replace("WHERE user_id", "WHERE collapse_user");
    private static final String INSERT = "INSERT INTO notify_inbox (user_id, notification_id, created_at, collapse_key) VALUES (?, ?, ?, ?)";

    private InboxCollapse() {
    }

    /** Whether any request carries a collapse key for a recipient. */
    static boolean any(List<PublishRequest> requests) {
        for (PublishRequest r : requests) {
            Notification n = r.notification();
            if (n.collapseKey().isPresent() && !n.recipients().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Writes the collapsing inbox rows of {@code requests}; rows of notifications without a key are the caller's. */
    static void write(Connection c, Dialect dialect, List<PublishRequest> requests) throws SQLException {
        // within one batch only the last notification of a (user, key) reaches the inbox
        Map<Slot, PublishRequest> newest = new LinkedHashMap<>();
        for (PublishRequest r : requests) {
            Notification n = r.notification();
            n.collapseKey().ifPresent(key -> n.recipients().forEach(user -> {
                if (r.inInbox(user)) {
                    newest.put(new Slot(user, key), r);
                }
            }));
        }
        if (newest.isEmpty()) {
            return;
        }
        List<Map.Entry<Slot, PublishRequest>> rows = new ArrayList<>(newest.entrySet());
        int[] updated = new int[rows.size()];
        boolean h2 = dialect == Dialect.H2;
        takeOver(c, h2 ? TAKE_OVER_UNREAD_H2 : TAKE_OVER_UNREAD, rows, updated, true);
        takeOver(c, h2 ? TAKE_OVER_KEEP_READ_H2 : TAKE_OVER_KEEP_READ, rows, updated, false);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            boolean any = false;
            for (int i = 0; i < rows.size(); i++) {
                if (updated[i] == 0) {
                    Slot slot = rows.get(i).getKey();
                    Notification n = rows.get(i).getValue().notification();
                    ps.setString(1, slot.user);
                    ps.setString(2, n.id());
                    ps.setLong(3, Sql.nanos(n.createdAt()));
                    ps.setString(4, slot.key);
                    ps.addBatch();
                    any = true;
                }
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    // one batch for the rows whose request wants (or does not want) them unread again; counts go to updated
    private static void takeOver(Connection c, String sql, List<Map.Entry<Slot, PublishRequest>> rows, int[] updated, boolean unread)
            throws SQLException {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).getValue().collapseMarksUnread() == unread) {
                indexes.add(i);
            }
        }
        if (indexes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i : indexes) {
                Slot slot = rows.get(i).getKey();
                Notification n = rows.get(i).getValue().notification();
                ps.setString(1, n.id());
                ps.setLong(2, Sql.nanos(n.createdAt()));
                ps.setString(3, slot.user);
                ps.setString(4, slot.key);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int j = 0; j < counts.length; j++) {
                updated[indexes.get(j)] = counts[j];
            }
        }
    }

    private record Slot(String user, String key) {
    }
}
