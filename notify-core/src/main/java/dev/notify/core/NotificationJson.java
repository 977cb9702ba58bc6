package dev.notify.core;

import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A stored notification as JSON text and back, whole (id, creation time and every field), for a
 * node that carries a live entry to another node ({@link dev.notify.api.spi.ClusterSignal.LiveEntry}).
 * Not the HTTP API's publish body: that one has no id or creation time, and its defaults would
 * change what the other node pushes.
 */
final class NotificationJson {

    private final JsonbCodec json;

    NotificationJson(JsonbCodec json) {
        this.json = json;
    }

    String write(Notification n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("createdAt", n.createdAt().toString());
        m.put("type", n.type().wireName());
        m.put("event", n.event());
        n.topic().ifPresent(t -> m.put("topic", t));
        m.put("priority", n.priority().wireName());
        m.put("recipients", n.recipients());
        m.put("title", n.title());
        m.put("body", n.body());
        m.put("data", n.data());
        n.template().ifPresent(t -> m.put("template", t));
        m.put("channels", new ArrayList<>(n.channels()));
        n.scheduledAt().ifPresent(t -> m.put("scheduledAt", t.toString()));
        n.expiresAt().ifPresent(t -> m.put("expiresAt", t.toString()));
        n.idempotencyKey().ifPresent(k -> m.put("idempotencyKey", k));
        n.collapseKey().ifPresent(k -> m.put("collapseKey", k));
        m.put("metadata", n.metadata());
        m.put("broadcast", n.broadcast());
        m.put("transactional", n.transactional());
        return json.toJson(m);
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws RuntimeException when it is not that (the caller then reads the log instead)
     */
    @SuppressWarnings("unchecked")
    Notification read(String text) {
        Map<String, Object> m = json.parseObject(text);
        Notification.Builder b = Notification.builder()
                .id((String) m.get("id"))
                .createdAt(Instant.parse((String) m.get("createdAt")))
                .type(NotificationType.fromWire((String) m.get("type")))
                .event((String) m.get("event"))
                .priority(Priority.fromWire((String) m.get("priority")))
                .recipients(strings(m.get("recipients")))
                .title((String) m.get("title"))
                .body((String) m.get("body"))
                .data((Map<String, ?>) m.get("data"))
                .channels(new LinkedHashSet<>(strings(m.get("channels"))))
                .metadata((Map<String, String>) m.get("metadata"))
                .broadcast(Boolean.TRUE.equals(m.get("broadcast")))
                .transactional(Boolean.TRUE.equals(m.get("transactional")));
        if (m.get("topic") instanceof String t) {
            b.topic(t);
        }
        if (m.get("template") instanceof String t) {
            b.template(t);
        }
        if (m.get("scheduledAt") instanceof String t) {
            b.scheduledAt(Instant.parse(t));
        }
        if (m.get("expiresAt") instanceof String t) {
            b.expiresAt(Instant.parse(t));
        }
        if (m.get("idempotencyKey") instanceof String k) {
            b.idempotencyKey(k);
        }
        if (m.get("collapseKey") instanceof String k) {
            b.collapseKey(k);
        }
        return b.build();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof Collection<?> c) {
            for (Object x : c) {
                out.add((String) x);
            }
        }
        return out;
    }
}
