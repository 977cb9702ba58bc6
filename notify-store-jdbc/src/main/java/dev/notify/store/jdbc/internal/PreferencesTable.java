package dev.notify.store.jdbc.internal;

import dev.notify.api.Preferences;
import dev.notify.api.spi.PreferenceStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Users' preferences in {@code notify_preference}, one row per user holding {@link Preferences#toJson()}. */
public final class PreferencesTable implements PreferenceStore {

    private static final int CHUNK = 500;

    private final Database db;

    public PreferencesTable(Database db) {
        this.db = db;
    }

    @Override
    public Preferences find(String userId) {
        return findAll(List.of(userId)).getOrDefault(userId, Preferences.NONE);
    }

    @Override
    public boolean anySaved() {
        return db.read("reading whether any preferences are saved", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM notify_preference FETCH FIRST 1 ROWS ONLY");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    @Override
    public Map<String, Preferences> findAll(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        List<String> ids = new ArrayList<>(userIds);
        return db.read("reading preferences", c -> {
            Map<String, Preferences> out = new HashMap<>();
            for (int from = 0; from < ids.size(); from += CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
                try (PreparedStatement ps = c.prepareStatement("SELECT user_id, body FROM notify_preference WHERE user_id IN ("
                        + Sql.placeholders(chunk.size()) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), Preferences.fromJson(Json.readObject(rs.getString(2))));
                        }
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void save(String userId, Preferences preferences, Instant now) {
        for (int attempt = 1; ; attempt++) {
            try {
                db.inTransactionOrThrow(c -> write(c, userId, preferences, now));
                return;
            } catch (SQLException e) {
                // two first saves of one user raced to insert: the second one now updates
                if (attempt < 3 && Sql.isUniqueViolation(e)) {
                    continue;
                }
                throw Database.failure("saving preferences", e);
            }
        }
    }

    private static Void write(Connection c, String userId, Preferences p, Instant now) throws SQLException {
        if (p.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM notify_preference WHERE user_id = ?")) {
                ps.setString(1, userId);
                ps.executeUpdate();
            }
            return null;
        }
        String body = Json.write(p.toJson());
        try (PreparedStatement ps = c.prepareStatement("UPDATE notify_preference SET body = ?, updated_at = ? WHERE user_id = ?")) {
            ps.setString(1, body);
            ps.setLong(2, Sql.nanos(now));
            ps.setString(3, userId);
            if (ps.executeUpdate() == 1) {
                return null;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notify_preference (user_id, body, updated_at) VALUES (?, ?, ?)")) {
            ps.setString(1, userId);
            ps.setString(2, body);
            ps.setLong(3, Sql.nanos(now));
            ps.executeUpdate();
        }
        return null;
    }
}
