package dev.notify.channel.webhook.internal;

import dev.notify.api.Notification;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON body a webhook receiver gets for a notification: DESIGN.md's, plus the notification id and, when present, title and body. */
final class WebhookPayload {

    private WebhookPayload() {
    }

    /** The body's fields, in the order they are written. */
    static Map<String, Object> of(Notification n) {
        Map<String, Object> m = new LinkedHashMap<>();
        n.taskId().ifPresent(t -> m.put("task_id", t));
        m.put("event_type", n.event());
        m.put("timestamp", n.createdAt().toString());
        m.put("data", n.data());
        m.put("notification_id", n.id());
        n.topic().ifPresent(t -> m.put("topic", t));
        if (!n.title().isEmpty()) {
            m.put("title", n.title());
        }
        if (!n.body().isEmpty()) {
            m.put("body", n.body());
        }
        return m;
    }
}
