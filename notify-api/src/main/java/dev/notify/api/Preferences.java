package dev.notify.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one user wants to receive: a global mute, opt-outs by event and/or topic pattern per kind of
 * channel, and quiet hours in the user's time zone. The engine applies them once, when a
 * notification is published ({@link #verdict}), and records why a delivery was suppressed or held.
 *
 * <p>Channel kinds: {@value #INBOX} (the inbox), {@value #LIVE} (SSE, WebSocket, polling),
 * {@value #OS} (operating-system notifications), or the name of a plugin channel that delivers to
 * users (such as {@code slack}). A {@linkplain Priority#CRITICAL critical} notification passes the
 * mute, opt-outs and quiet hours unless the rule says {@code critical: true}; a
 * {@linkplain Notification#transactional() transactional} one passes everything.
 *
 * <p>Quiet hours hold, they never drop: inside them a notification reaches the inbox at once, while
 * every other kind waits until they end. A push delivery to the user (the {@value #OS} channel, a
 * plugin channel such as {@code slack}) is stored due at their end, pending, its record saying
 * {@code "held by preference: quiet hours until ..."}; the live event (SSE, WebSocket, polling) is
 * appended to the event log at their end, through a delivery of the engine's {@code live:held}
 * channel to the user recorded the same way, so the user's streams receive it then and a client that resumes
 * with its cursor (or connects fresh and replays) gets it once, after what it saw before, and never
 * during the quiet hours. The hours are read in the user's zone: a window over midnight (22:00 to
 * 07:00) ends on the next day, and on a day the clocks change it ends at the local end time of that
 * day (an end inside a spring-forward gap is moved forward by the gap's length).
 *
 * <pre>{@code
 * Preferences p = new Preferences(false,
 *         List.of(new Preferences.OptOut(List.of("marketing.*"), List.of(), Set.of(), false)),
 *         Optional.of(new Preferences.QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0), ZoneId.of("Europe/Berlin"), false)));
 * }</pre>
 *
 * @param muted nothing but critical and transactional notifications reaches the user
 * @param optOuts what the user does not want, first match wins
 * @param quietHours when notifications for every channel kind but the inbox wait (the inbox keeps them at once)
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
public record Preferences(boolean muted, List<OptOut> optOuts, Optional<QuietHours> quietHours) {

    /** The inbox. */
    public static final String INBOX = "inbox";
    /** Live streams: SSE, WebSocket and polling. */
    public static final String LIVE = "live";
    /** Operating-system notifications (the {@code system} channel). */
    public static final String OS = "os";
    /** Most opt-out rules of one user. */
    public static final int MAX_OPT_OUTS = 100;

    /** No preferences: everything reaches the user. */
    public static final Preferences NONE = new Preferences(false, List.of(), Optional.empty());

    /** Validates and copies the components. */
    public Preferences {
        optOuts = List.copyOf(optOuts);
        if (optOuts.size() > MAX_OPT_OUTS) {
            throw new IllegalArgumentException("at most " + MAX_OPT_OUTS + " opt-outs, got " + optOuts.size());
        }
        Objects.requireNonNull(quietHours, "quietHours");
    }

    /**
     * One opt-out: notifications whose event matches one of {@code events} (all when empty) and whose
     * topic matches one of {@code topics} (any or none when empty), on the channel kinds
     * {@code channels} (all when empty).
     *
     * @param events event patterns such as {@code marketing.*} or {@code task.progress}
     * @param topics topic patterns such as {@code task:*}
     * @param channels channel kinds: {@value #INBOX}, {@value #LIVE}, {@value #OS} or a plugin channel's name
     * @param critical whether the rule applies to critical notifications too
     */
    public record OptOut(List<String> events, List<String> topics, Set<String> channels, boolean critical) {

        /** Validates and copies the components. */
        public OptOut {
            events = List.copyOf(events);
            topics = List.copyOf(topics);
            channels = Set.copyOf(channels);
            for (String e : events) {
                if (e.isBlank() || e.length() > Notification.MAX_EVENT_LENGTH || e.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("event pattern '" + Excerpts.of(e, 64) + "' is not an event name or prefix pattern such as task.*");
                }
            }
            for (String t : topics) {
                TopicPatterns.problemWithPattern(t).ifPresent(p -> {
                    throw new IllegalArgumentException(p);
                });
            }
            if (events.isEmpty() && topics.isEmpty() && channels.isEmpty()) {
                throw new IllegalArgumentException("an opt-out names events, topics and/or channels; use muted for everything");
            }
        }

        boolean matches(Notification n, String channelKind) {
            if (!channels.isEmpty() && !channels.contains(channelKind)) {
                return false;
            }
            if (!events.isEmpty() && events.stream().noneMatch(p -> TopicPatterns.matches(p, n.event()))) {
                return false;
            }
            return topics.isEmpty() || n.topic().map(t -> topics.stream().anyMatch(p -> TopicPatterns.matches(p, t))).orElse(false);
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            if (!events.isEmpty()) {
                parts.add("events " + events);
            }
            if (!topics.isEmpty()) {
                parts.add("topics " + topics);
            }
            if (!channels.isEmpty()) {
                parts.add("on " + new java.util.TreeSet<>(channels));
            }
            return String.join(" ", parts);
        }
    }

    /**
     * Quiet hours: from {@code start} to {@code end} in {@code zone} (over midnight when end is
     * before start), non-critical notifications for every channel kind but the inbox (live streams, OS
     * notifications, plugin channels delivering to the user) wait until the end.
     *
     * @param start when they begin, local time
     * @param end when they end, local time
     * @param zone the user's time zone
     * @param critical whether critical notifications wait too
     */
    public record QuietHours(LocalTime start, LocalTime end, ZoneId zone, boolean critical) {

        /** Validates the components. */
        public QuietHours {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(zone, "zone");
            if (start.equals(end)) {
                throw new IllegalArgumentException("quiet hours start and end at the same time (" + start + ")");
            }
        }

        /** When the quiet hours that contain {@code now} end, or empty when {@code now} is outside them. */
        public Optional<Instant> endAfter(Instant now) {
            ZonedDateTime local = now.atZone(zone);
            LocalTime t = local.toLocalTime();
            boolean inside = start.isBefore(end) ? !t.isBefore(start) && t.isBefore(end) : !t.isBefore(start) || t.isBefore(end);
            if (!inside) {
                return Optional.empty();
            }
            ZonedDateTime endToday = local.with(end);
            return Optional.of((endToday.isAfter(local) ? endToday : local.plusDays(1).with(end)).toInstant());
        }
    }

    /**
     * What happens to a notification on one channel kind for this user.
     *
     * @param action deliver, suppress, or hold until {@code until}
     * @param reason why it is suppressed or held; empty when delivered
     * @param until when a held notification may go out
     */
    public record Verdict(Action action, String reason, Optional<Instant> until) {

        /** Deliver as usual. */
        public static final Verdict DELIVER = new Verdict(Action.DELIVER, "", Optional.empty());

        /** Whether the notification goes out now. */
        public boolean delivers() {
            return action == Action.DELIVER;
        }
    }

    /** What a {@link Verdict} says to do. */
    public enum Action {
        /** Deliver now. */
        DELIVER,
        /** Do not deliver; the delivery record says why. */
        SUPPRESS,
        /** Deliver when the quiet hours end. */
        HOLD
    }

    /** Whether these preferences change nothing. */
    public boolean isEmpty() {
        return !muted && optOuts.isEmpty() && quietHours.isEmpty();
    }

    /** What to do with {@code n} on a channel of kind {@code channelKind} at {@code now}. */
    public Verdict verdict(Notification n, String channelKind, Instant now) {
        if (n.transactional() || isEmpty()) {
            return Verdict.DELIVER;
        }
        boolean critical = n.priority() == Priority.CRITICAL;
        if (muted && !critical) {
            return new Verdict(Action.SUPPRESS, "suppressed by preference: the user muted notifications", Optional.empty());
        }
        for (OptOut o : optOuts) {
            if ((!critical || o.critical()) && o.matches(n, channelKind)) {
                return new Verdict(Action.SUPPRESS, "suppressed by preference: opted out of " + o.describe(), Optional.empty());
            }
        }
        if (quietHours.isPresent() && !channelKind.equals(INBOX) && (!critical || quietHours.get().critical())) {
            Optional<Instant> end = quietHours.get().endAfter(now);
            if (end.isPresent()) {
                return new Verdict(Action.HOLD, "held by preference: quiet hours until " + end.get(), end);
            }
        }
        return Verdict.DELIVER;
    }

    // ---- JSON shape -----------------------------------------------------------------------------

    /**
     * The JSON shape, for the HTTP API, the WebSocket frame and the JDBC store:
     * {@code {"muted":false,"optOuts":[{"events":["marketing.*"],"topics":[],"channels":["inbox"],"critical":false}],
     * "quietHours":{"start":"22:00","end":"07:00","timeZone":"Europe/Berlin","critical":false}}}.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("muted", muted);
        List<Object> rules = new ArrayList<>();
        for (OptOut o : optOuts) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("events", o.events());
            r.put("topics", o.topics());
            r.put("channels", List.copyOf(new java.util.TreeSet<>(o.channels())));
            r.put("critical", o.critical());
            rules.add(r);
        }
        m.put("optOuts", rules);
        quietHours.ifPresent(q -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("start", q.start().toString());
            r.put("end", q.end().toString());
            r.put("timeZone", q.zone().getId());
            r.put("critical", q.critical());
            m.put("quietHours", r);
        });
        return m;
    }

    /**
     * Reads the {@linkplain #toJson() JSON shape}; absent fields take their defaults.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public static Preferences fromJson(Map<String, ?> json) {
        for (String k : json.keySet()) {
            if (!Set.of("muted", "optOuts", "quietHours").contains(k)) {
                throw new IllegalArgumentException("unknown field '" + k + "'; preferences have muted, optOuts and quietHours");
            }
        }
        boolean muted = bool(json, "muted", "muted");
        List<OptOut> rules = new ArrayList<>();
        Object o = json.get("optOuts");
        if (o != null) {
            if (!(o instanceof List<?> list)) {
                throw new IllegalArgumentException("field 'optOuts' must be an array");
            }
            for (int i = 0; i < list.size(); i++) {
                String where = "optOuts[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?> r)) {
                    throw new IllegalArgumentException("field '" + where + "' must be an object");
                }
                for (Object k : r.keySet()) {
                    if (!Set.of("events", "topics", "channels", "critical").contains(k)) {
                        throw new IllegalArgumentException("unknown field '" + where + "." + k + "'; an opt-out has events, topics, channels and critical");
                    }
                }
                rules.add(new OptOut(strings(r, "events", where), strings(r, "topics", where),
                        new LinkedHashSet<>(strings(r, "channels", where)), bool(r, "critical", where + ".critical")));
            }
        }
        Optional<QuietHours> quiet = Optional.empty();
        Object q = json.get("quietHours");
        if (q != null) {
            if (!(q instanceof Map<?, ?> r)) {
                throw new IllegalArgumentException("field 'quietHours' must be an object");
            }
            try {
                quiet = Optional.of(new QuietHours(LocalTime.parse(text(r, "start")), LocalTime.parse(text(r, "end")),
                        ZoneId.of(text(r, "timeZone")), bool(r, "critical", "quietHours.critical")));
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("field 'quietHours' needs start and end as HH:MM and an IANA timeZone such as Europe/Berlin: "
                        + e.getMessage());
            }
        }
        return new Preferences(muted, rules, quiet);
    }

    private static boolean bool(Map<?, ?> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("field '" + where + "' must be true or false");
        }
        return b;
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("field 'quietHours." + key + "' must be a string");
        }
        return s;
    }

    private static List<String> strings(Map<?, ?> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof Collection<?> c)) {
            throw new IllegalArgumentException("field '" + where + "." + key + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object x : c) {
            if (!(x instanceof String s)) {
                throw new IllegalArgumentException("field '" + where + "." + key + "' must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }
}
