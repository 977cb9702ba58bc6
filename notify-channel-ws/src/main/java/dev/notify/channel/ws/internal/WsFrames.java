package dev.notify.channel.ws.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.spi.JsonCodec;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes the frames the server sends. Every frame is one JSON object with a {@code type}.
 * Events carry an {@code id} (their event-log sequence) and nothing else does, so a client tells
 * an event from a control frame by the presence of {@code id}, whatever the event is named.
 */
public final class WsFrames {

    private final JsonCodec json;

    /** Frames encoded with the host's codec. */
    public WsFrames(JsonCodec json) {
        this.json = json;
    }

    /**
     * The envelope of one event: {@code type} (the event name), {@code id} (the event-log
     * sequence), {@code notification_id}, {@code topic}, {@code task_id} and {@code collapse_key} (when present),
     * {@code timestamp}, {@code priority}, {@code notification_type}, {@code title} and
     * {@code body} (when not empty) and {@code data}.
     */
    public String event(EventLogEntry e) {
        Notification n = e.notification();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", n.event());
        m.put("id", e.sequence());
        m.put("notification_id", n.id());
        n.topic().ifPresent(t -> m.put("topic", t));
        n.taskId().ifPresent(t -> m.put("task_id", t));
        n.collapseKey().ifPresent(k -> m.put("collapse_key", k));
        m.put("timestamp", n.createdAt().toString());
        m.put("priority", n.priority().wireName());
        m.put("notification_type", n.type().wireName());
        if (!n.title().isEmpty()) {
            m.put("title", n.title());
        }
        if (!n.body().isEmpty()) {
            m.put("body", n.body());
        }
        m.put("data", n.data());
        return json.toJson(m);
    }

    /** A control frame: {@code {"type":..., "timestamp":..., "data":{...}, "ref":...}} ({@code ref} only when given). */
    public String control(String type, Instant at, Map<String, ?> data, Object ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("timestamp", at.toString());
        m.put("data", data);
        if (ref != null) {
            m.put("ref", ref);
        }
        return json.toJson(m);
    }

    /** The {@code stats} frame: the user's inbox counts. */
    public String stats(InboxStats s, Instant at) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("total", s.total());
        d.put("unread", s.unread());
        d.put("read", s.read());
        return control("stats", at, d, null);
    }

    /** The {@code error} frame: why a client frame was refused, and which frame type it was (when known). */
    public String error(String reason, String frameType, Object ref, Instant at) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("reason", reason);
        if (frameType != null) {
            d.put("frame", frameType);
        }
        return control("error", at, d, ref);
    }
}
