package dev.notify.channel.poll.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns an event-log slice into the poll answer {@code {"events":[...],"last_seq":N}}. */
public final class PollAnswer {

    private PollAnswer() {
    }

    /**
     * The answer to a poll after {@code after}.
     *
     * <p>{@code last_seq} is the sequence of the last entry read (a notification that reached the
     * user both directly and through a topic appears once, but the cursor passes both entries);
     * with no entries it stays at {@code after}, so a notification scheduled for later, already
     * in the log but not yet due, is still found by the next poll. Only when retention pruned the
     * log past {@code after} does an empty answer move the cursor to the log's head.
     */
    public static Map<String, Object> of(EventLogSlice slice, long after) {
        List<Object> events = new ArrayList<>(slice.entries().size());
        Set<String> seen = new HashSet<>();
        long last = after;
        for (EventLogEntry e : slice.entries()) {
            last = Math.max(last, e.sequence());
            if (seen.add(e.notification().id())) {
                events.add(event(e));
            }
        }
        if (slice.entries().isEmpty() && slice.pruned()) {
            last = Math.max(after, slice.latestSequence());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", events);
        m.put("last_seq", last);
        if (slice.pruned()) {
            m.put("pruned", true);
        }
        return m;
    }

    /**
     * One event: {@code id} (its sequence, the value to pass as {@code after}), {@code event},
     * {@code notification_id}, {@code type}, {@code topic}, {@code task_id}, {@code collapse_key} (when present), {@code priority},
     * {@code title}, {@code body}, {@code data}, {@code createdAt} and {@code timestamp}.
     */
    public static Map<String, Object> event(EventLogEntry e) {
        Notification n = e.notification();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.sequence());
        m.put("event", n.event());
        m.put("notification_id", n.id());
        m.put("type", n.type().wireName());
        n.topic().ifPresent(t -> m.put("topic", t));
        n.taskId().ifPresent(t -> m.put("task_id", t));
        n.collapseKey().ifPresent(k -> m.put("collapse_key", k));
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
