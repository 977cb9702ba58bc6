package dev.notify.store.jdbc.internal;

import dev.notify.api.Notification;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Reads shared by several parts of the store. */
public final class Reads {

    private Reads() {
    }

    public static Optional<Notification> notification(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.NOTIFICATION_COLUMNS + " FROM notify_notification n WHERE n.id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Rows.notification(rs, 1)) : Optional.empty();
            }
        }
    }
}
