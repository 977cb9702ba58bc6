package dev.notify.channel.ws.internal;

import dev.notify.api.Excerpts;
import dev.notify.api.TopicPatterns;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A frame a client sends, parsed and checked. Every client frame is a JSON object with a
 * {@code type}; it may carry a {@code ref} (a string or number) that the server's answer echoes,
 * so a client can match answers to requests.
 */
public sealed interface ClientFrame {

    /** The type names a client may send, for error messages. */
    List<String> TYPES = List.of("subscribe", "unsubscribe", "ack", "resume", "mark_read", "preferences", "ping");

    /** The client's correlation value, echoed in the answer; null when none was sent. */
    Object ref();

    /** {@code {"type":"subscribe","topics":["task:abc123","build:*"]}}: adds topics (checked against the grants). */
    record Subscribe(Set<String> topics, Object ref) implements ClientFrame {
    }

    /** {@code {"type":"unsubscribe","topics":["task:abc123"]}}: removes topics. */
    record Unsubscribe(Set<String> topics, Object ref) implements ClientFrame {
    }

    /** {@code {"type":"ack","id":1042}}: the client has every event with an id up to 1042 that this connection sent. */
    record Ack(long id, Object ref) implements ClientFrame {
    }

    /**
     * {@code {"type":"resume","after":1042}} or {@code {"type":"resume","client_id":"ws-..."}}: replay
     * what the log holds after that id, or after the last id acknowledged on that earlier connection.
     */
    record Resume(OptionalLong after, Optional<String> clientId, Object ref) implements ClientFrame {
    }

    /** {@code {"type":"mark_read","ids":["..."]}} or {@code {"type":"mark_read","all":true}}. */
    record MarkRead(List<String> ids, boolean all, Object ref) implements ClientFrame {
    }

    /**
     * {@code {"type":"preferences"}} reads the user's preferences; {@code {"type":"preferences","data":{...}}}
     * replaces them (the JSON shape of {@link dev.notify.api.Preferences#toJson()}). Answered with a
     * {@code preferences} frame holding what is stored.
     */
    record PreferencesFrame(Optional<dev.notify.api.Preferences> replacement, Object ref) implements ClientFrame {
    }

    /** {@code {"type":"ping"}}: answered with {@code pong}. */
    record Ping(Object ref) implements ClientFrame {
    }

    /** A frame that does not parse or check; the connection answers with an {@code error} frame carrying the reason. */
    final class BadFrame extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final String frameType;
        private final transient Object ref;

        BadFrame(String reason, String frameType, Object ref) {
            super(reason);
            this.frameType = frameType;
            this.ref = ref;
        }

        /** The offending frame's type, when it had a readable one; null otherwise. */
        public String frameType() {
            return frameType;
        }

        /** The offending frame's {@code ref}, when it had a valid one; null otherwise. */
        public Object ref() {
            return ref;
        }
    }

    /** The most ids one {@code mark_read} frame may carry. */
    int MAX_MARK_IDS = 1000;

    /**
     * Checks a parsed JSON object and turns it into a frame.
     *
     * @param maxTopics the most topics one frame may name
     * @throws BadFrame with a reason a client developer can act on
     */
    static ClientFrame of(Map<String, Object> json, int maxTopics) {
        Object ref = Parse.ref(json.get("ref"));
        Object t = json.get("type");
        if (t == null) {
            throw new BadFrame("the frame has no \"type\"; expected one of " + TYPES, null, ref);
        }
        if (!(t instanceof String)) {
            throw new BadFrame("\"type\" must be a string, one of " + TYPES, null, ref);
        }
        String type = (String) t;
        switch (type) {
            case "subscribe":
                return new Subscribe(Parse.topics(json, type, ref, maxTopics), ref);
            case "unsubscribe":
                return new Unsubscribe(Parse.topics(json, type, ref, maxTopics), ref);
            case "ack":
                Parse.only(json, type, ref, "id");
                return new Ack(Parse.sequence(json.get("id"), "id", type, ref, true), ref);
            case "resume":
                return Parse.resume(json, ref);
            case "mark_read":
                return Parse.markRead(json, ref);
            case "preferences":
                return Parse.preferences(json, ref);
            case "ping":
                Parse.only(json, type, ref);
                return new Ping(ref);
            default:
                throw new BadFrame("unknown frame type '" + Excerpts.of(type, 64) + "'; expected one of " + TYPES, type, ref);
        }
    }

    /** The checks behind {@link ClientFrame#of}. */
    final class Parse {
        // a topic as Notification accepts it, optionally ending in '*' to make it a pattern
        private static final int MAX_REF_LENGTH = 64;

        private Parse() {
        }

        static Object ref(Object ref) {
            if (ref == null) {
                return null;
            }
            if (ref instanceof String && ((String) ref).length() <= MAX_REF_LENGTH) {
                return ref;
            }
            if (ref instanceof Number) {
                return ref;
            }
            // an unusable ref is dropped rather than failing the frame it came with
            return null;
        }

        static void only(Map<String, Object> json, String type, Object ref, String... allowed) {
            for (String key : json.keySet()) {
                if (key.equals("type") || key.equals("ref")) {
                    continue;
                }
                boolean ok = false;
                for (String a : allowed) {
                    ok |= a.equals(key);
                }
                if (!ok) {
                    throw new BadFrame("a " + type + " frame has no field \"" + Excerpts.of(key, 64) + "\""
                            + (allowed.length == 0 ? "" : "; its fields are " + List.of(allowed)), type, ref);
                }
            }
        }

        static Set<String> topics(Map<String, Object> json, String type, Object ref, int maxTopics) {
            only(json, type, ref, "topics");
            Object v = json.get("topics");
            if (!(v instanceof List) || ((List<?>) v).isEmpty()) {
                throw new BadFrame("a " + type + " frame needs \"topics\": a non-empty array of topics such as [\"task:abc123\"]", type, ref);
            }
            Set<String> out = new LinkedHashSet<>();
            for (Object o : (List<?>) v) {
                if (!(o instanceof String)) {
                    throw new BadFrame("\"topics\" must hold strings only, got " + describe(o), type, ref);
                }
                String topic = ((String) o).trim();
                Optional<String> problem = TopicPatterns.problemWithPattern(topic);
                if (problem.isPresent()) {
                    throw new BadFrame(problem.get(), type, ref);
                }
                out.add(topic);
                if (out.size() > maxTopics) {
                    throw new BadFrame("at most " + maxTopics + " topics may be named in one frame", type, ref);
                }
            }
            return Collections.unmodifiableSet(out);
        }

        static long sequence(Object v, String field, String type, Object ref, boolean positive) {
            if (v == null) {
                throw new BadFrame("a " + type + " frame needs \"" + field + "\": the id of an event (a whole number)", type, ref);
            }
            if (!(v instanceof Number)) {
                throw new BadFrame("\"" + field + "\" must be a whole number, got " + describe(v), type, ref);
            }
            OptionalLong n = wholeLong((Number) v);
            if (n.isEmpty()) {
                throw new BadFrame("\"" + field + "\" must be a whole number from " + (positive ? 1 : 0) + " to " + Long.MAX_VALUE
                        + ", got " + describe(v), type, ref);
            }
            if (n.getAsLong() < (positive ? 1 : 0)) {
                throw new BadFrame("\"" + field + "\" must be " + (positive ? "positive" : "zero or more") + ", got " + n.getAsLong(), type, ref);
            }
            return n.getAsLong();
        }

        /**
         * The number as a long when it is a whole number in range, else empty. A client chooses the
         * number: {@code 1e999999999} is 13 characters as a BigDecimal and a billion digits once
         * expanded, so the range is checked on precision and scale before anything converts it.
         */
        static OptionalLong wholeLong(Number v) {
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                return OptionalLong.of(v.longValue());
            }
            if (v instanceof BigInteger) {
                BigInteger i = (BigInteger) v;
                return i.bitLength() < 64 ? OptionalLong.of(i.longValue()) : OptionalLong.empty();
            }
            if (v instanceof BigDecimal) {
                BigDecimal d = (BigDecimal) v;
                if (d.signum() == 0) {
                    return OptionalLong.of(0);
                }
                // digits before the point; a long has at most 19
                if ((long) d.precision() - d.scale() > 19) {
                    return OptionalLong.empty();
                }
                try {
                    return OptionalLong.of(d.longValueExact());
                } catch (ArithmeticException e) {
                    return OptionalLong.empty();
                }
            }
            if (v instanceof Double || v instanceof Float) {
                double x = v.doubleValue();
                return x == Math.rint(x) && Math.abs(x) < 0x1p63 ? OptionalLong.of((long) x) : OptionalLong.empty();
            }
            return OptionalLong.empty();
        }

        static Resume resume(Map<String, Object> json, Object ref) {
            only(json, "resume", ref, "after", "client_id");
            Object after = json.get("after");
            Object clientId = json.get("client_id");
            if ((after == null) == (clientId == null)) {
                throw new BadFrame("a resume frame needs exactly one of \"after\" (the last event id the client has)"
                        + " and \"client_id\" (of the connection it resumes)", "resume", ref);
            }
            if (after != null) {
                return new Resume(OptionalLong.of(sequence(after, "after", "resume", ref, false)), Optional.empty(), ref);
            }
            if (!(clientId instanceof String) || ((String) clientId).isBlank() || ((String) clientId).length() > 128) {
                throw new BadFrame("\"client_id\" must be the client_id of an earlier connection's connected frame", "resume", ref);
            }
            return new Resume(OptionalLong.empty(), Optional.of((String) clientId), ref);
        }

        static PreferencesFrame preferences(Map<String, Object> json, Object ref) {
            only(json, "preferences", ref, "data");
            Object data = json.get("data");
            if (data == null) {
                return new PreferencesFrame(Optional.empty(), ref);
            }
            if (!(data instanceof Map)) {
                throw new BadFrame("\"data\" must be an object: the preferences to store", "preferences", ref);
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, ?> m = (Map<String, ?>) data;
                return new PreferencesFrame(Optional.of(dev.notify.api.Preferences.fromJson(m)), ref);
            } catch (IllegalArgumentException e) {
                throw new BadFrame(e.getMessage(), "preferences", ref);
            }
        }

        static MarkRead markRead(Map<String, Object> json, Object ref) {
            only(json, "mark_read", ref, "ids", "all");
            Object ids = json.get("ids");
            Object all = json.get("all");
            if (all != null) {
                if (!Boolean.TRUE.equals(all) || ids != null) {
                    throw new BadFrame("a mark_read frame takes either \"ids\" or \"all\":true", "mark_read", ref);
                }
                return new MarkRead(List.of(), true, ref);
            }
            if (!(ids instanceof List) || ((List<?>) ids).isEmpty()) {
                throw new BadFrame("a mark_read frame needs \"ids\" (a non-empty array of notification ids) or \"all\":true", "mark_read", ref);
            }
            List<?> list = (List<?>) ids;
            if (list.size() > MAX_MARK_IDS) {
                throw new BadFrame("at most " + MAX_MARK_IDS + " ids may be marked in one frame, got " + list.size(), "mark_read", ref);
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String) || ((String) o).isBlank() || ((String) o).length() > 256) {
                    throw new BadFrame("\"ids\" must hold notification ids (non-blank strings), got " + describe(o), "mark_read", ref);
                }
                out.add((String) o);
            }
            return new MarkRead(List.copyOf(out), false, ref);
        }

        static String describe(Object o) {
            if (o == null) {
                return "null";
            }
            if (o instanceof String) {
                return "the string '" + Excerpts.of((String) o, 64) + "'";
            }
            if (o instanceof Map) {
                return "an object";
            }
            if (o instanceof List) {
                return "an array";
            }
            if (o instanceof BigDecimal && ((BigDecimal) o).unscaledValue().bitLength() > 256
                    || o instanceof BigInteger && ((BigInteger) o).bitLength() > 256) {
                // toString of so many digits is only cut short below; BigDecimal's stays short for any exponent
                return "a number of more than 64 digits";
            }
            return Excerpts.of(String.valueOf(o), 64);
        }

    }
}
