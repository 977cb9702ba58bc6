package dev.notify.server.internal;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.InboxItem;
import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON shapes of the HTTP API: the publish body of DESIGN.md read into a
 * {@link Notification}, and notifications, inbox items and deliveries written as maps.
 * Field names are DESIGN.md's, in camelCase.
 */
public final class Wire {

    /** The fields a publish body may carry. Unknown fields are refused, so a typo ({@code recipient}) is not silently ignored. */
    public static final Set<String> PUBLISH_FIELDS = Set.of("recipients", "topic", "event", "type", "priority", "title", "body",
            "data", "template", "channels", "scheduledAt", "expiresAt", "idempotencyKey", "collapseKey", "metadata", "broadcast", "transactional");

    private Wire() {
    }

    /**
     * Reads a publish body.
     *
     * @param where prefix of field names in messages ({@code ""}, or {@code "notifications[3]."} in a batch)
     * @throws ApiException 400 naming the field for a wrong type, an unknown field or an invalid value
     */
    public static Notification notification(Map<String, Object> body, String where) {
        for (String k : body.keySet()) {
            if (!PUBLISH_FIELDS.contains(k)) {
                throw ApiException.badRequest("unknown field '" + where + Http.excerpt(k) + "'; a notification has the fields "
                        + new java.util.TreeSet<>(PUBLISH_FIELDS));
            }
        }
        Notification.Builder b = Notification.builder();
        try {
            List<String> recipients = stringList(body, "recipients", where);
            if (recipients != null) {
                b.recipients(recipients);
            }
            String topic = string(body, "topic", where);
            if (topic != null) {
                b.topic(topic);
            }
            String event = string(body, "event", where);
            if (event != null) {
                b.event(event);
            }
            String type = string(body, "type", where);
            if (type != null) {
                b.type(NotificationType.fromWire(type));
            }
            String priority = string(body, "priority", where);
            if (priority != null) {
                b.priority(Priority.fromWire(priority));
            }
            b.title(string(body, "title", where));
            b.body(string(body, "body", where));
            Object data = body.get("data");
            if (data != null) {
                if (!(data instanceof Map)) {
                    throw typeError(where, "data", "an object", data);
                }
                @SuppressWarnings("unchecked")
                Map<String, ?> d = (Map<String, ?>) data;
                b.data(d);
            }
            String template = string(body, "template", where);
            if (template != null) {
                b.template(template);
            }
            List<String> channels = stringList(body, "channels", where);
            if (channels != null) {
                b.channels(channels);
            }
            b.scheduledAt(instant(body, "scheduledAt", where));
            b.expiresAt(instant(body, "expiresAt", where));
            b.idempotencyKey(string(body, "idempotencyKey", where));
            b.collapseKey(string(body, "collapseKey", where));
            Object transactional = body.get("transactional");
            if (transactional != null) {
                if (!(transactional instanceof Boolean flag)) {
                    throw typeError(where, "transactional", "true or false", transactional);
                }
                b.transactional(flag);
            }
            Object broadcast = body.get("broadcast");
            if (broadcast != null) {
                if (!(broadcast instanceof Boolean flag)) {
                    throw typeError(where, "broadcast", "true or false", broadcast);
                }
                b.broadcast(flag);
            }
            Object metadata = body.get("metadata");
            if (metadata != null) {
                if (!(metadata instanceof Map<?, ?> m)) {
                    throw typeError(where, "metadata", "an object of strings", metadata);
                }
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getValue() instanceof String v)) {
                        throw typeError(where, "metadata." + Http.excerpt(String.valueOf(e.getKey())), "a string", e.getValue());
                    }
                    b.metadata((String) e.getKey(), v);
                }
            }
            return b.build();
        } catch (ApiException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // the builder's messages may quote data keys of any length
            String m = Http.excerpt(String.valueOf(e.getMessage()), 300);
            throw ApiException.badRequest(where.isEmpty() ? m : where + " " + m);
        }
    }

    private static String string(Map<String, Object> body, String field, String where) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw typeError(where, field, "a string", v);
        }
        return s;
    }

    private static List<String> stringList(Map<String, Object> body, String field, String where) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw typeError(where, field, "an array of strings", v);
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw typeError(where, field + "[" + i + "]", "a string", list.get(i));
            }
            out.add(s);
        }
        return out;
    }

    private static Instant instant(Map<String, Object> body, String field, String where) {
        String s = string(body, field, where);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("field '" + where + field + "' = '" + Http.excerpt(s)
                    + "' is not an ISO-8601 timestamp with an offset, such as 2024-01-15T10:30:00Z");
        }
    }

    /** A 400 saying a field has the wrong JSON type. */
    public static ApiException typeError(String where, String field, String expected, Object got) {
        return ApiException.badRequest("field '" + where + field + "' must be " + expected + ", got " + jsonType(got));
    }

    private static String jsonType(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Number || v instanceof BigDecimal) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        return v.getClass().getSimpleName();
    }

    /** A notification as the API returns it. */
    public static Map<String, Object> notification(Notification n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("type", n.type().wireName());
        m.put("event", n.event());
        n.topic().ifPresent(t -> m.put("topic", t));
        if (n.broadcast()) {
            m.put("broadcast", true);
        }
        m.put("priority", n.priority().wireName());
        m.put("title", n.title());
        m.put("body", n.body());
        m.put("data", n.data());
        n.template().ifPresent(t -> m.put("template", t));
        if (!n.channels().isEmpty()) {
            m.put("channels", List.copyOf(n.channels()));
        }
        n.scheduledAt().ifPresent(t -> m.put("scheduledAt", t.toString()));
        n.expiresAt().ifPresent(t -> m.put("expiresAt", t.toString()));
        n.collapseKey().ifPresent(k -> m.put("collapseKey", k));
        m.put("createdAt", n.createdAt().toString());
        return m;
    }

    /** An inbox item: the notification plus {@code read} and {@code readAt}. */
    public static Map<String, Object> inboxItem(InboxItem item) {
        Map<String, Object> m = notification(item.notification());
        m.put("read", item.read());
        item.readAt().ifPresent(t -> m.put("readAt", t.toString()));
        return m;
    }

    /** A delivery record (a dead letter, say). */
    public static Map<String, Object> delivery(DeliveryRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("notificationId", d.notificationId());
        m.put("channel", d.channel());
        m.put("target", d.target());
        m.put("priority", d.priority().wireName());
        m.put("status", d.status().wireName());
        m.put("attempts", d.attempts());
        d.nextAttemptAt().ifPresent(t -> m.put("nextAttemptAt", t.toString()));
        d.lastError().ifPresent(e -> m.put("lastError", e));
        m.put("createdAt", d.createdAt().toString());
        m.put("updatedAt", d.updatedAt().toString());
        return m;
    }
}
