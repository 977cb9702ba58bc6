package dev.notify.store.jdbc.internal;

import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.WebhookEndpointStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Webhook endpoints in {@code notify_webhook_endpoint}; their attempts are ordinary delivery attempts. */
public final class WebhookEndpoints implements WebhookEndpointStore {

    private final Database db;

    public WebhookEndpoints(Database db) {
        this.db = db;
    }

    @Override
    public WebhookEndpoint create(WebhookEndpoint endpoint) {
        try {
            return db.inTransactionOrThrow(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO notify_webhook_endpoint (" + Rows.ENDPOINT_COLUMNS
                        + ") VALUES (" + Sql.placeholders(13) + ")")) {
                    Rows.bindEndpoint(ps, endpoint);
                    ps.executeUpdate();
                }
                return endpoint;
            });
        } catch (SQLException e) {
            if (Sql.isUniqueViolation(e)) {
                throw new IllegalArgumentException("a webhook endpoint with id '" + endpoint.id() + "' already exists");
            }
            throw Database.failure("creating a webhook endpoint", e);
        }
    }

    @Override
    public Optional<WebhookEndpoint> find(String id) {
        return db.read("reading a webhook endpoint", c -> {
            List<WebhookEndpoint> l = select(c, " WHERE id = ?", id);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
        });
    }

    @Override
    public List<WebhookEndpoint> list() {
        return db.read("listing webhook endpoints", c -> select(c, " ORDER BY created_at, ord", null));
    }

    @Override
    public Optional<WebhookEndpoint> update(WebhookEndpoint endpoint) {
        return db.write("updating a webhook endpoint", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE notify_webhook_endpoint SET url = ?, secret = ?, previous_secret = ?, "
                    + "previous_secret_expires_at = ?, topics = ?, events = ?, description = ?, enabled = ?, consecutive_failures = ?, "
                    + "failing_since = ?, created_at = ?, updated_at = ? WHERE id = ?")) {
                Rows.bindEndpointFields(ps, endpoint, 1);
                ps.setString(13, endpoint.id());
                return ps.executeUpdate() == 1 ? Optional.of(endpoint) : Optional.<WebhookEndpoint>empty();
            }
        });
    }

    @Override
    public boolean delete(String id) {
        return db.write("deleting a webhook endpoint", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM notify_webhook_endpoint WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static List<WebhookEndpoint> select(java.sql.Connection c, String tail, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.ENDPOINT_COLUMNS + " FROM notify_webhook_endpoint" + tail)) {
            if (id != null) {
                ps.setString(1, id);
            }
            List<WebhookEndpoint> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rows.endpoint(rs));
                }
            }
            return out;
        }
    }
}
