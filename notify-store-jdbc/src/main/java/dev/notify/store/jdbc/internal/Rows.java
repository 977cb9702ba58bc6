package dev.notify.store.jdbc.internal;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;
import dev.notify.api.WebhookEndpoint;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalInt;

/** Column lists and the mapping between rows and domain records. */
public final class Rows {

    private static final Priority[] PRIORITIES = Priority.values();

    /** The notification columns, qualified with alias {@code n}. */
    public static final String NOTIFICATION_COLUMNS = "n.id, n.type, n.event, n.topic, n.priority, n.recipients, n.title, "
            + "n.body, n.data, n.template, n.channels, n.scheduled_at, n.expires_at, n.idempotency_key, n.metadata, n.created_at, n.broadcast, "
            + "n.collapse_key, n.transactional";

    /** The columns {@link #bindNotification} and {@link #copyNotification} write, in their order. */
    static final String NOTIFICATION_WRITE_COLUMNS = "id, type, event, topic, priority, "
            + "recipients, title, body, data, template, channels, scheduled_at, expires_at, idempotency_key, metadata, created_at, broadcast, "
            + "collapse_key, transactional";

    public static final String INSERT_NOTIFICATION = "INSERT INTO notify_notification (" + NOTIFICATION_WRITE_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    public static final String DELIVERY_COLUMNS = "id, notification_id, channel, target, priority, status, attempts, "
            + "next_attempt_at, last_error, created_at, updated_at";

    public static final String ENDPOINT_COLUMNS = "id, url, secret, previous_secret, previous_secret_expires_at, topics, "
            + "events, description, enabled, consecutive_failures, failing_since, created_at, updated_at";

    private Rows() {
    }

    public static void bindNotification(PreparedStatement ps, Notification n) throws SQLException {
        ps.setString(1, n.id());
        ps.setString(2, n.type().wireName());
        ps.setString(3, n.event());
        Sql.setString(ps, 4, n.topic());
        ps.setShort(5, (short) n.priority().ordinal());
        ps.setString(6, Json.write(n.recipients()));
        ps.setString(7, n.title());
        ps.setString(8, n.body());
        ps.setString(9, Json.write(n.data()));
        Sql.setString(ps, 10, n.template());
        ps.setString(11, Json.write(n.channels()));
        Sql.setInstant(ps, 12, n.scheduledAt());
        Sql.setInstant(ps, 13, n.expiresAt());
        Sql.setString(ps, 14, n.idempotencyKey());
        ps.setString(15, Json.write(n.metadata()));
        ps.setLong(16, Sql.nanos(n.createdAt()));
        ps.setBoolean(17, n.broadcast());
        Sql.setString(ps, 18, n.collapseKey());
        ps.setBoolean(19, n.transactional());
    }

    /** {@link #bindNotification} as a row of a {@code COPY} (PostgreSQL). */
    static void copyNotification(CopyRows row, Notification n) {
        row.text(n.id()).text(n.type().wireName()).text(n.event()).text(n.topic()).number(n.priority().ordinal())
                .text(Json.write(n.recipients())).text(n.title()).text(n.body()).text(Json.write(n.data())).text(n.template())
                .text(Json.write(n.channels())).number(n.scheduledAt().map(Sql::nanos)).number(n.expiresAt().map(Sql::nanos))
                .text(n.idempotencyKey()).text(Json.write(n.metadata())).number(Sql.nanos(n.createdAt())).bool(n.broadcast())
                .text(n.collapseKey()).bool(n.transactional()).endRow();
    }

    /** Reads the notification whose columns start at {@code first} (see {@link #NOTIFICATION_COLUMNS}). */
    public static Notification notification(ResultSet rs, int first) throws SQLException {
        int c = first;
        Notification.Builder b = Notification.builder().id(rs.getString(c++));
        b.type(NotificationType.fromWire(rs.getString(c++)));
        b.event(rs.getString(c++));
        b.topic(rs.getString(c++));
        b.priority(PRIORITIES[rs.getShort(c++)]);
        b.recipients(Json.readStrings(rs.getString(c++)));
        b.title(rs.getString(c++));
        b.body(rs.getString(c++));
        b.data(Json.readObject(rs.getString(c++)));
        b.template(rs.getString(c++));
        b.channels(new LinkedHashSet<>(Json.readStrings(rs.getString(c++))));
        long scheduled = rs.getLong(c++);
        b.scheduledAt(rs.wasNull() ? null : Sql.instant(scheduled));
        long expires = rs.getLong(c++);
        b.expiresAt(rs.wasNull() ? null : Sql.instant(expires));
        b.idempotencyKey(rs.getString(c++));
        b.metadata(Json.readStringMap(rs.getString(c++)));
        b.createdAt(Sql.instant(rs.getLong(c++)));
        b.broadcast(rs.getBoolean(c++));
        b.collapseKey(rs.getString(c++));
        b.transactional(rs.getBoolean(c));
        return b.build();
    }

    public static DeliveryRecord delivery(ResultSet rs) throws SQLException {
        return new DeliveryRecord(rs.getLong("id"), rs.getString("notification_id"), rs.getString("channel"),
                rs.getString("target"), PRIORITIES[rs.getShort("priority")], DeliveryStatus.fromWire(rs.getString("status")),
                rs.getInt("attempts"), Sql.instant(rs, "next_attempt_at"), Optional.ofNullable(rs.getString("last_error")),
                Sql.instant(rs.getLong("created_at")), Sql.instant(rs.getLong("updated_at")));
    }

    public static DeliveryAttempt attempt(ResultSet rs) throws SQLException {
        int code = rs.getInt("status_code");
        OptionalInt statusCode = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(code);
        return new DeliveryAttempt(rs.getLong("delivery_id"), rs.getInt("number"), Sql.instant(rs.getLong("started_at")),
                Duration.ofNanos(rs.getLong("duration_ns")), DeliveryResult.Outcome.valueOf(rs.getString("outcome")),
                statusCode, Optional.ofNullable(rs.getString("error")), Optional.ofNullable(rs.getString("response")));
    }

    public static WebhookEndpoint endpoint(ResultSet rs) throws SQLException {
        return new WebhookEndpoint(rs.getString("id"), rs.getString("url"), rs.getString("secret"),
                Optional.ofNullable(rs.getString("previous_secret")), Sql.instant(rs, "previous_secret_expires_at"),
                new LinkedHashSet<>(Json.readStrings(rs.getString("topics"))),
                new LinkedHashSet<>(Json.readStrings(rs.getString("events"))), rs.getString("description"),
                rs.getBoolean("enabled"), rs.getInt("consecutive_failures"), Sql.instant(rs, "failing_since"),
                Sql.instant(rs.getLong("created_at")), Sql.instant(rs.getLong("updated_at")));
    }

    /** Binds the endpoint's columns in {@link #ENDPOINT_COLUMNS} order, from index 1. */
    public static void bindEndpoint(PreparedStatement ps, WebhookEndpoint e) throws SQLException {
        ps.setString(1, e.id());
        bindEndpointFields(ps, e, 2);
    }

    /** Binds every endpoint column but the id, in {@link #ENDPOINT_COLUMNS} order, from index {@code first}. */
    public static void bindEndpointFields(PreparedStatement ps, WebhookEndpoint e, int first) throws SQLException {
        int i = first;
        ps.setString(i++, e.url());
        ps.setString(i++, e.secret());
        Sql.setString(ps, i++, e.previousSecret());
        Sql.setInstant(ps, i++, e.previousSecretExpiresAt());
        ps.setString(i++, Json.write(e.topics()));
        ps.setString(i++, Json.write(e.events()));
        ps.setString(i++, e.description());
        ps.setBoolean(i++, e.enabled());
        ps.setInt(i++, e.consecutiveFailures());
        Sql.setInstant(ps, i++, e.failingSince());
        ps.setLong(i++, Sql.nanos(e.createdAt()));
        ps.setLong(i, Sql.nanos(e.updatedAt()));
    }

    public static void setNullableInt(PreparedStatement ps, int index, OptionalInt v) throws SQLException {
        if (v.isPresent()) {
            ps.setInt(index, v.getAsInt());
        } else {
            ps.setNull(index, Types.INTEGER);
        }
    }
}
