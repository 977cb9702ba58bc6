package dev.notify.cluster.redis.internal;

import dev.notify.api.Audience;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pub/sub channel names of one cluster and which signal goes on which:
 * {@code <prefix>user:<userId>} for what concerns one user (new log entries, inbox counts),
 * {@code <prefix>topic:<topic>} for new entries of a topic (a node serving {@code task:*} holds the
 * pattern {@code <prefix>topic:task:*}), and {@code <prefix>nodes} for what every node hears
 * (a delivery became due, a setting changed, a burst too wide to name its audiences).
 *
 * @param prefix what every channel name of this cluster starts with, such as {@code notify:}
 */
public record Channels(String prefix) {

    /** The channel every node subscribes to. */
    public String nodes() {
        return prefix + "nodes";
    }

    /** The channel of a user or of a concrete topic. */
    public String of(Audience a) {
        return a instanceof Audience.User u ? prefix + "user:" + u.userId() : prefix + "topic:" + ((Audience.Topic) a).topic();
    }

    /** Whether the audience is a topic pattern ({@code prefix:*}), held with {@code PSUBSCRIBE}. */
    public static boolean isPattern(Audience a) {
        return a instanceof Audience.Topic t && t.topic().endsWith("*");
    }

    /** The glob of a topic pattern: its prefix with Redis's glob characters escaped, then {@code *}. */
    public String pattern(Audience.Topic t) {
        String literal = t.topic().substring(0, t.topic().length() - 1);
        StringBuilder sb = new StringBuilder(prefix.length() + literal.length() + 8);
        for (String part : new String[] {prefix + "topic:", literal}) {
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
        return sb.append('*').toString();
    }

    /**
     * Splits a message by channel: each audience of a {@link ClusterSignal.LogAppended} gets its own
     * copy on its channel, a {@link ClusterSignal.LiveEntry} and an {@link ClusterSignal.InboxChanged} go
     * to their user's channel, the rest to {@link #nodes()}.
     */
    public Map<String, ClusterMessage> route(ClusterMessage m) {
        Map<String, List<ClusterSignal>> by = new LinkedHashMap<>();
        for (ClusterSignal s : m.signals()) {
            if (s instanceof ClusterSignal.LogAppended l && !l.audiences().isEmpty()) {
                for (Audience a : l.audiences()) {
                    by.computeIfAbsent(of(a), k -> new ArrayList<>()).add(new ClusterSignal.LogAppended(l.sequence(), List.of(a)));
                }
            } else if (s instanceof ClusterSignal.LiveEntry e) {
                by.computeIfAbsent(of(e.audience()), k -> new ArrayList<>()).add(s);
            } else if (s instanceof ClusterSignal.InboxChanged i) {
                by.computeIfAbsent(of(Audience.user(i.userId())), k -> new ArrayList<>()).add(s);
            } else {
                by.computeIfAbsent(nodes(), k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, ClusterMessage> out = new LinkedHashMap<>();
        by.forEach((channel, signals) -> out.put(channel, new ClusterMessage(m.origin(), m.sentAt(), signals)));
        return out;
    }
}
