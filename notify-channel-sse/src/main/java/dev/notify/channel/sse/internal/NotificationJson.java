package dev.notify.channel.sse.internal;

import dev.notify.api.Notification;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shape of a notification on the stream, as a map for the host's codec. */
public final class NotificationJson {

    private NotificationJson() {
    }

    /**
     * The notification's client-facing fields: {@code id} (the notification id), {@code sequence}
     * (its event-log position, when known), {@code type}, {@code event}, {@code topic},
     * {@code task_id}, {@code collapseKey}, {@code priority}, {@code title}, {@code body}, {@code data},
     * {@code createdAt} and {@code timestamp} (both ISO-8601). Absent optional fields are left out.
     *
     * @param sequence the event-log sequence, or 0 when there is none (inbox items)
     */
    public static Map<String, Object> of(Notification n, long sequence) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        if (sequence > 0) {
            m.put("sequence", sequence);
        }
        m.put("type", n.type().wireName());
        m.put("event", n.event());
        n.topic().ifPresent(t -> m.put("topic", t));
        n.taskId().ifPresent(t -> m.put("task_id", t));
        n.collapseKey().ifPresent(k -> m.put("collapseKey", k));
        m.put("priority", n.priority().wireName());
        m.put("title", n.title());
        m.put("body", n.body());
        m.put("data", n.data());
        String at = n.createdAt().toString();
        m.put("createdAt", at);
        m.put("timestamp", at);
        return m;
    }
}
