package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.Audience;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One payload between nodes: the coalesced {@link ClusterSignal}s of a moment, who sent them and
 * when (the receiver measures the signal lag from it). Its {@link #toWire() wire form} is a short
 * line of printable ASCII that every engine can carry as it is (a PostgreSQL {@code NOTIFY} payload,
 * a Redis pub/sub message):
 *
 * <pre>{@code
 * 1 node-a 1733500000123 L1042@uu1,ttask%3Aabc;Iu7;D;Swebhook:wh_1
 * }</pre>
 *
 * version, origin, sent-at in epoch milliseconds, then the signals separated by {@code ;}:
 * {@code L<seq>[@<audience>,...]} (audience {@code u<user>} or {@code t<topic>}), {@code D},
 * {@code I<user>}, {@code S<kind>:<id>}, {@code E<seq>,<previous>,<audience>,<body>} (a
 * {@link ClusterSignal.LiveEntry}); ids and bodies are URL-encoded. Readers skip signals they do not
 * know, so a newer node can add kinds.
 *
 * @param origin the sending node's id
 * @param sentAt when it was sent, to the millisecond (as the wire form carries it)
 * @param signals the signals, at least one
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public record ClusterMessage(String origin, Instant sentAt, List<ClusterSignal> signals) {

    /** Longest wire form the host sends; PostgreSQL allows 8,000 bytes, and small payloads stay cheap. */
    public static final int MAX_WIRE_CHARS = 2000;

    /** Validates and copies the components. */
    public ClusterMessage {
        Objects.requireNonNull(origin, "origin");
        sentAt = Instant.ofEpochMilli(sentAt.toEpochMilli());
        signals = List.copyOf(signals);
        if (signals.isEmpty()) {
            throw new IllegalArgumentException("a message carries at least one signal");
        }
    }

    /** The wire form, at most {@link #MAX_WIRE_CHARS} characters when built by {@link #pack}. */
    public String toWire() {
        StringBuilder sb = new StringBuilder(64).append("1 ").append(enc(origin)).append(' ').append(sentAt.toEpochMilli()).append(' ');
        for (int i = 0; i < signals.size(); i++) {
            if (i > 0) {
                sb.append(';');
            }
            sb.append(token(signals.get(i)));
        }
        return sb.toString();
    }

    /**
     * Reads a wire form.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static ClusterMessage parse(String wire) {
        String[] parts = wire.split(" ", 4);
        if (parts.length != 4 || !parts[0].equals("1")) {
            throw new IllegalArgumentException("not a cluster message: " + abbreviate(wire));
        }
        try {
            List<ClusterSignal> signals = new ArrayList<>();
            for (String t : parts[3].split(";")) {
                ClusterSignal s = signal(t);
                if (s != null) {
                    signals.add(s);
                }
            }
            if (signals.isEmpty()) {
                signals.add(new ClusterSignal.DeliveryDue());
            }
            return new ClusterMessage(dec(parts[1]), Instant.ofEpochMilli(Long.parseLong(parts[2])), signals);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cluster message: " + abbreviate(wire), e);
        }
    }

    /**
     * Packs signals into as few messages as keep each wire form within {@link #MAX_WIRE_CHARS};
     * a {@link ClusterSignal.LogAppended} too long to fit loses its audiences, and a
     * {@link ClusterSignal.LiveEntry} too long to fit travels as the plain {@code LogAppended} of its
     * sequence and audience (so the body's size is capped by the wire's).
     */
    public static List<ClusterMessage> pack(String origin, Instant sentAt, List<ClusterSignal> signals) {
        int head = ("1 " + enc(origin) + " " + sentAt.toEpochMilli() + " ").length();
        List<ClusterMessage> out = new ArrayList<>();
        List<ClusterSignal> current = new ArrayList<>();
        int length = head;
        for (ClusterSignal s : signals) {
            String t = token(s);
            if (head + t.length() > MAX_WIRE_CHARS && s instanceof ClusterSignal.LiveEntry e) {
                s = new ClusterSignal.LogAppended(e.sequence(), List.of(e.audience()));
                t = token(s);
            }
            if (head + t.length() > MAX_WIRE_CHARS) {
                if (!(s instanceof ClusterSignal.LogAppended l)) {
                    continue; // an id this long is no id of Notify's; nothing sane to route
                }
                s = new ClusterSignal.LogAppended(l.sequence(), List.of());
                t = token(s);
            }
            if (!current.isEmpty() && length + 1 + t.length() > MAX_WIRE_CHARS) {
                out.add(new ClusterMessage(origin, sentAt, current));
                current = new ArrayList<>();
                length = head;
            }
            length += (current.isEmpty() ? 0 : 1) + t.length();
            current.add(s);
        }
        if (!current.isEmpty()) {
            out.add(new ClusterMessage(origin, sentAt, current));
        }
        return out;
    }

    private static String token(ClusterSignal s) {
        if (s instanceof ClusterSignal.LogAppended l) {
            StringBuilder sb = new StringBuilder().append('L').append(l.sequence());
            for (int i = 0; i < l.audiences().size(); i++) {
                audience(sb.append(i == 0 ? '@' : ','), l.audiences().get(i));
            }
            return sb.toString();
        }
        if (s instanceof ClusterSignal.LiveEntry e) {
            StringBuilder sb = new StringBuilder(e.body().length() * 3 / 2 + 32).append('E').append(e.sequence()).append(',')
                    .append(e.previous()).append(',');
            return audience(sb, e.audience()).append(',').append(enc(e.body())).toString();
        }
        if (s instanceof ClusterSignal.InboxChanged i) {
            return "I" + enc(i.userId());
        }
        if (s instanceof ClusterSignal.SettingChanged c) {
            return "S" + enc(c.kind()) + ":" + enc(c.id());
        }
        return "D";
    }

    private static StringBuilder audience(StringBuilder sb, Audience a) {
        return a instanceof Audience.User u ? sb.append('u').append(enc(u.userId())) : sb.append('t').append(enc(((Audience.Topic) a).topic()));
    }

    private static Audience audience(String a) {
        return a.charAt(0) == 'u' ? Audience.user(dec(a.substring(1))) : Audience.topic(dec(a.substring(1)));
    }

    private static ClusterSignal signal(String t) {
        if (t.isEmpty()) {
            return null;
        }
        switch (t.charAt(0)) {
            case 'L': {
                int at = t.indexOf('@');
                long seq = Long.parseLong(at < 0 ? t.substring(1) : t.substring(1, at));
                List<Audience> audiences = new ArrayList<>();
                if (at >= 0) {
                    for (String a : t.substring(at + 1).split(",")) {
                        audiences.add(audience(a));
                    }
                }
                return new ClusterSignal.LogAppended(seq, audiences);
            }
            case 'E': {
                String[] p = t.substring(1).split(",", 4);
                return new ClusterSignal.LiveEntry(Long.parseLong(p[0]), Long.parseLong(p[1]), audience(p[2]), dec(p[3]));
            }
            case 'D':
                return new ClusterSignal.DeliveryDue();
            case 'I':
                return new ClusterSignal.InboxChanged(dec(t.substring(1)));
            case 'S': {
                int colon = t.indexOf(':');
                return new ClusterSignal.SettingChanged(dec(t.substring(1, colon)), dec(t.substring(colon + 1)));
            }
            default:
                return null; // a kind from a newer node
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
