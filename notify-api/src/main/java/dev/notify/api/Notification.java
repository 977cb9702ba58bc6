package dev.notify.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One notification: published once, stored durably, delivered to every channel that should
 * carry it. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * Notification n = Notification.builder()
 *         .recipient("u1")
 *         .event("task.progress")
 *         .topic("task:abc123")
 *         .priority(Priority.HIGH)
 *         .title("Import running")
 *         .data(Map.of("percent", 50, "message", "Processing..."))
 *         .build();
 * }</pre>
 *
 * <p>The builder validates everything a channel would choke on, so an invalid notification
 * never reaches the store: it throws {@link IllegalArgumentException} with a message naming
 * the field. Nulls passed to a builder method are rejected the same way, except where a
 * method says that null clears the field.
 *
 * <p>An audience is required: at least one {@linkplain #recipients() recipient} (user id)
 * and/or a {@linkplain #topic() topic}. {@link #createdAt()} is stamped by the service when it
 * accepts the notification; the builder's default is the current time.
 *
 * <p>One file past 600 lines on purpose: the value, its builder and the builder's validation of
 * every field (the limits above, the event and topic grammars, the JSON-safe copy of {@code data})
 * are one contract that reads better whole than spread over helpers a user would have to find.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class Notification {

    /** Longest event name, in characters. */
    public static final int MAX_EVENT_LENGTH = 128;
    /** Longest topic, in characters. */
    public static final int MAX_TOPIC_LENGTH = TopicPatterns.MAX_LENGTH;
    /** Longest recipient id, in characters. */
    public static final int MAX_RECIPIENT_LENGTH = 256;
    /** Most recipients of one notification; use several for larger audiences, or a topic. */
    public static final int MAX_RECIPIENTS = 10_000;
    /** Longest title, in characters. */
    public static final int MAX_TITLE_LENGTH = 1_000;
    /** Longest body, in characters. */
    public static final int MAX_BODY_LENGTH = 65_536;
    /** Largest {@link #data()} payload, estimated as its JSON size in characters. */
    public static final int MAX_DATA_SIZE = 262_144;
    /** Deepest nesting of maps and lists in {@link #data()}. */
    public static final int MAX_DATA_DEPTH = 32;
    /**
     * Most significant digits of a number in {@link #data()}: JSON readers refuse longer ones (the
     * JDBC store's reader from 1,100 characters on, so it could not read such a notification back)
     * and turning digits into a number costs time quadratic in their count.
     */
    public static final int MAX_NUMBER_DIGITS = 1_000;
    /** Most metadata entries. */
    public static final int MAX_METADATA_ENTRIES = 64;
    /** Longest idempotency key, template name, metadata key or value, in characters. */
    public static final int MAX_KEY_LENGTH = 256;
    /** The event name used when none is given. */
    public static final String DEFAULT_EVENT = "notification";

    private static final Pattern CHANNEL = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:/-]*");

    private final String id;
    private final NotificationType type;
    private final String event;
    private final String topic;
    private final Priority priority;
    private final List<String> recipients;
    private final String title;
    private final String body;
    private final Map<String, Object> data;
    private final String template;
    private final Set<String> channels;
    private final Instant scheduledAt;
    private final Instant expiresAt;
    private final String idempotencyKey;
    private final String collapseKey;
    private final Map<String, String> metadata;
    private final boolean broadcast;
    private final boolean transactional;
    private final Instant createdAt;

    private Notification(Builder b) {
        this.id = b.id != null ? b.id : newId();
        this.type = b.type;
        this.event = b.event;
        this.topic = b.topic;
        this.priority = b.priority;
        this.recipients = b.recipients != null ? List.copyOf(b.recipients)
                : b.onlyRecipient != null ? List.of(b.onlyRecipient) : List.of();
        this.title = b.title;
        this.body = b.body;
        this.data = b.data;
        this.template = b.template;
        this.channels = b.channels == null || b.channels.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(new LinkedHashSet<>(b.channels));
        this.scheduledAt = b.scheduledAt;
        this.expiresAt = b.expiresAt;
        this.idempotencyKey = b.idempotencyKey;
        this.collapseKey = b.collapseKey;
        this.metadata = b.metadata == null || b.metadata.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.broadcast = b.broadcast;
        this.transactional = b.transactional;
        this.createdAt = b.createdAt != null ? b.createdAt : Instant.now();
        if (recipients.isEmpty() && topic == null) {
            throw new IllegalArgumentException("a notification needs recipients and/or a topic");
        }
        if (broadcast && topic == null) {
            throw new IllegalArgumentException("broadcast needs a topic: it sends the notification to every subscriber of its topic");
        }
        if (scheduledAt != null && expiresAt != null && !expiresAt.isAfter(scheduledAt)) {
            throw new IllegalArgumentException("expiresAt (" + expiresAt + ") must be after scheduledAt (" + scheduledAt + ")");
        }
    }

    private Notification(Notification n, Instant createdAt) {
        this.id = n.id;
        this.type = n.type;
        this.event = n.event;
        this.topic = n.topic;
        this.priority = n.priority;
        this.recipients = n.recipients;
        this.title = n.title;
        this.body = n.body;
        this.data = n.data;
        this.template = n.template;
        this.channels = n.channels;
        this.scheduledAt = n.scheduledAt;
        this.expiresAt = n.expiresAt;
        this.idempotencyKey = n.idempotencyKey;
        this.collapseKey = n.collapseKey;
        this.broadcast = n.broadcast;
        this.transactional = n.transactional;
        this.metadata = n.metadata;
        this.createdAt = createdAt;
    }

    /**
     * This notification with another creation time; everything else is shared, nothing is
     * validated again (the service stamps its clock's time on accept this way).
     */
    public Notification withCreatedAt(Instant at) {
        return new Notification(this, Objects.requireNonNull(at, "createdAt must not be null"));
    }

    /**
     * Whether {@code s} is an event name: dot-separated parts, each an ASCII letter, digit or
     * {@code _} followed by any of those and {@code -} (the pattern
     * {@code [A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*}). Written out rather than
     * matched with that regex: every publish checks its event, and the matcher's objects were 6% of
     * the bytes {@code CoreBenchmark push} allocated (JFR); a property test holds the two equal.
     */
    static boolean isEventName(String s) {
        boolean partStart = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (partStart) {
                    return false;
                }
                partStart = true;
                continue;
            }
            boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (!word && (c != '-' || partStart)) {
                return false;
            }
            partStart = false;
        }
        return !partStart;
    }

    /** A new builder with the defaults: type info, priority normal, event {@value #DEFAULT_EVENT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this notification's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.type = type;
        b.event = event;
        b.topic = topic;
        b.priority = priority;
        if (recipients.size() == 1) {
            b.onlyRecipient = recipients.get(0);
        } else if (!recipients.isEmpty()) {
            b.recipients = new LinkedHashSet<>(recipients);
        }
        b.title = title;
        b.body = body;
        b.data = data;
        b.template = template;
        if (!channels.isEmpty()) {
            b.channels().addAll(channels);
        }
        b.scheduledAt = scheduledAt;
        b.expiresAt = expiresAt;
        b.idempotencyKey = idempotencyKey;
        b.collapseKey = collapseKey;
        if (!metadata.isEmpty()) {
            b.metadata().putAll(metadata);
        }
        b.broadcast = broadcast;
        b.transactional = transactional;
        b.createdAt = createdAt;
        return b;
    }

    /**
     * A new, time-ordered, globally unique id (a version 7 UUID), as assigned to notifications
     * built without one.
     */
    public static String newId() {
        long ms = System.currentTimeMillis();
        long rand = IdRandom.RANDOM.nextLong();
        long msb = (ms << 16) | 0x7000L | (IdRandom.RANDOM.nextInt() & 0x0FFFL);
        long lsb = (rand & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static final class IdRandom {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /** The unique id; generated when the builder was given none. */
    public String id() {
        return id;
    }

    /** The presentation kind. */
    public NotificationType type() {
        return type;
    }

    /** The event name, a dotted identifier such as {@code task.progress}; {@value #DEFAULT_EVENT} by default. */
    public String event() {
        return event;
    }

    /** The topic, such as {@code task:abc123}, when the notification is published to one. */
    public Optional<String> topic() {
        return Optional.ofNullable(topic);
    }

    /**
     * Who receives it live and by replay, besides the push channels' targets. A notification
     * <em>with</em> recipients reaches those recipients only: its topic labels it (a client that
     * subscribed to {@code task:abc123} sees its own notifications about that task) but does not
     * send it to other users who may read the topic. A notification <em>without</em> recipients
     * goes to every subscriber of its topic. {@code broadcast} asks for both: the recipients
     * (inbox and streams) and every subscriber of the topic.
     *
     * @return whether the publisher asked to broadcast it to the topic's subscribers too
     * @since 0.3
     */
    public boolean broadcast() {
        return broadcast;
    }

    /**
     * Whether it is transactional (a password reset, a receipt): the user's
     * {@linkplain Preferences preferences} cannot opt out of it, mute it or hold it.
     */
    public boolean transactional() {
        return transactional;
    }

    /** Whether every subscriber of the topic receives it: topic-only notifications and broadcasts. */
    public boolean reachesTopicSubscribers() {
        return topic != null && (broadcast || recipients.isEmpty());
    }

    /** The delivery priority. */
    public Priority priority() {
        return priority;
    }

    /** The user ids it is addressed to, in the order given, without duplicates; may be empty for a topic broadcast. */
    public List<String> recipients() {
        return recipients;
    }

    /** The title; empty when none. */
    public String title() {
        return title;
    }

    /** The body text; empty when none. */
    public String body() {
        return body;
    }

    /**
     * The payload: an unmodifiable JSON-like tree of {@code Map<String, ?>}, {@code List<?>},
     * {@code String}, {@code Number}, {@code Boolean} and {@code null}.
     */
    public Map<String, Object> data() {
        return data;
    }

    /** The name of the template that renders the title and body, when one is used. */
    public Optional<String> template() {
        return Optional.ofNullable(template);
    }

    /** The channels to deliver through; empty means every channel that supports the audience. */
    public Set<String> channels() {
        return channels;
    }

    /** When to deliver, if not as soon as possible. */
    public Optional<Instant> scheduledAt() {
        return Optional.ofNullable(scheduledAt);
    }

    /** After this instant, undelivered copies are dropped (cancelled) instead of delivered. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /** A publisher-chosen key: publishing again with the same key returns the first notification's id. */
    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(idempotencyKey);
    }

    /**
     * What this notification replaces, such as a task id: a user's inbox keeps one item per
     * collapse key, the newest, and a stream client that fell behind receives only the newest
     * event per key (the event log keeps every entry, so resume cursors still work).
     */
    public Optional<String> collapseKey() {
        return Optional.ofNullable(collapseKey);
    }

    /** Free-form string metadata, not shown to users. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** When the notification was accepted. */
    public Instant createdAt() {
        return createdAt;
    }

    /** The task id: the part after {@code task:} of a {@code task:...} topic, else {@code data.task_id} if a string. */
    public Optional<String> taskId() {
        if (topic != null && topic.startsWith("task:") && topic.length() > 5) {
            return Optional.of(topic.substring(5));
        }
        Object t = data.get("task_id");
        return t instanceof String ? Optional.of((String) t) : Optional.empty();
    }

    /** Whether the notification has expired at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Notification)) {
            return false;
        }
        Notification n = (Notification) o;
        return id.equals(n.id) && type == n.type && event.equals(n.event) && Objects.equals(topic, n.topic)
                && priority == n.priority && recipients.equals(n.recipients) && title.equals(n.title)
                && body.equals(n.body) && data.equals(n.data) && Objects.equals(template, n.template)
                && channels.equals(n.channels) && Objects.equals(scheduledAt, n.scheduledAt)
                && Objects.equals(expiresAt, n.expiresAt) && Objects.equals(idempotencyKey, n.idempotencyKey)
                && Objects.equals(collapseKey, n.collapseKey)
                && metadata.equals(n.metadata) && broadcast == n.broadcast && transactional == n.transactional && createdAt.equals(n.createdAt);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Notification[id=" + id + ", event=" + event + ", type=" + type.wireName()
                + ", priority=" + priority.wireName() + ", topic=" + topic + ", recipients=" + recipients.size() + "]";
    }

    /** Builds a validated {@link Notification}. Not thread-safe. */
    public static final class Builder {
        private String id;
        private NotificationType type = NotificationType.INFO;
        private String event = DEFAULT_EVENT;
        private String topic;
        private Priority priority = Priority.NORMAL;
        // one recipient (the common case) without a set; the set, in order and without duplicates, from the second on
        private String onlyRecipient;
        private Set<String> recipients;
        private String title = "";
        private String body = "";
        private Map<String, Object> data = Map.of();
        private String template;
        // made when first needed: most notifications name no channel and carry no metadata, and a builder is made per publish
        private Set<String> channels;
        private Instant scheduledAt;
        private Instant expiresAt;
        private String idempotencyKey;
        private String collapseKey;
        private Map<String, String> metadata;
        private boolean broadcast;
        private boolean transactional;
        private Instant createdAt;

        private Builder() {
        }

        private Set<String> channels() {
            if (channels == null) {
                channels = new LinkedHashSet<>();
            }
            return channels;
        }

        private Map<String, String> metadata() {
            if (metadata == null) {
                metadata = new LinkedHashMap<>();
            }
            return metadata;
        }

        /** Sets the id; normally left to the builder, which generates a time-ordered UUID. */
        public Builder id(String id) {
            this.id = checkName("id", id, MAX_KEY_LENGTH, NAME);
            return this;
        }

        /** Sets the presentation type. */
        public Builder type(NotificationType type) {
            this.type = Objects.requireNonNull(type, "type must not be null");
            return this;
        }

        /**
         * Sets the event name: a dotted identifier (letters, digits, {@code _}, {@code -}),
         * at most {@value #MAX_EVENT_LENGTH} characters. Newlines and other control characters are
         * refused, so an event name can never inject an SSE frame.
         */
        public Builder event(String event) {
            if (event == null) {
                throw new IllegalArgumentException("event must not be null");
            }
            if (event.length() > MAX_EVENT_LENGTH) {
                throw new IllegalArgumentException("event is " + event.length() + " characters long; at most " + MAX_EVENT_LENGTH + " are allowed");
            }
            if (!isEventName(event)) {
                throw new IllegalArgumentException("event '" + Excerpts.of(event, 64)
                        + "' is not a dotted name such as task.progress (letters, digits, '_' and '-' between dots)");
            }
            this.event = event;
            return this;
        }

        /** Marks it transactional: no preference suppresses or holds it (see {@link Notification#transactional()}). Default false. */
        public Builder transactional(boolean transactional) {
            this.transactional = transactional;
            return this;
        }

        /**
         * Sends it to every subscriber of its topic as well as to its recipients (see
         * {@link Notification#broadcast()}); needs a topic. Default false.
         */
        public Builder broadcast(boolean broadcast) {
            this.broadcast = broadcast;
            return this;
        }

        /** Sets the topic, such as {@code task:abc123}; null clears it. */
        public Builder topic(String topic) {
            if (topic != null) {
                TopicPatterns.problemWithTopic(topic).ifPresent(p -> {
                    throw new IllegalArgumentException(p);
                });
            }
            this.topic = topic;
            return this;
        }

        /** Sets the priority. */
        public Builder priority(Priority priority) {
            this.priority = Objects.requireNonNull(priority, "priority must not be null");
            return this;
        }

        /** Adds one recipient user id. */
        public Builder recipient(String userId) {
            checkRecipient(userId);
            if (recipients == null) {
                if (onlyRecipient == null || onlyRecipient.equals(userId)) {
                    onlyRecipient = userId;
                    return this;
                }
                recipients = new LinkedHashSet<>();
                recipients.add(onlyRecipient);
                onlyRecipient = null;
            }
            if (recipients.size() >= MAX_RECIPIENTS && !recipients.contains(userId)) {
                throw new IllegalArgumentException("more than " + MAX_RECIPIENTS + " recipients; split the audience or use a topic");
            }
            recipients.add(userId);
            return this;
        }

        /** Replaces the recipients with these user ids (duplicates are kept once). */
        public Builder recipients(Collection<String> userIds) {
            if (userIds == null) {
                throw new IllegalArgumentException("recipients must not be null");
            }
            onlyRecipient = null;
            recipients = null;
            for (String u : userIds) {
                recipient(u);
            }
            return this;
        }

        /** Sets the title (at most {@value #MAX_TITLE_LENGTH} characters); null means empty. */
        public Builder title(String title) {
            this.title = checkText("title", title, MAX_TITLE_LENGTH);
            return this;
        }

        /** Sets the body (at most {@value #MAX_BODY_LENGTH} characters); null means empty. */
        public Builder body(String body) {
            this.body = checkText("body", body, MAX_BODY_LENGTH);
            return this;
        }

        /**
         * Sets the payload: a JSON-like tree of maps with string keys, lists, strings, numbers,
         * booleans and nulls, copied deeply. Null means empty.
         */
        public Builder data(Map<String, ?> data) {
            if (data == null) {
                this.data = Map.of();
                return this;
            }
            int[] size = {0};
            @SuppressWarnings("unchecked")
            Map<String, Object> copy = (Map<String, Object>) copyJson("data", data, 0, size);
            this.data = copy;
            return this;
        }

        /** Sets the name of a registered template that renders title and body; null clears it. */
        public Builder template(String template) {
            this.template = template == null ? null : checkName("template", template, MAX_KEY_LENGTH, NAME);
            return this;
        }

        /** Adds a target channel by name, such as {@code sse} or {@code webhook}. */
        public Builder channel(String channel) {
            if (channel == null || !CHANNEL.matcher(channel).matches()) {
                throw new IllegalArgumentException("channel '" + Excerpts.of(channel, 64)
                        + "' is not a channel name (lower-case letters, digits and '-', starting with a letter)");
            }
            channels().add(channel);
            return this;
        }

        /** Replaces the target channels; empty means every applicable channel. */
        public Builder channels(Collection<String> names) {
            if (names == null) {
                throw new IllegalArgumentException("channels must not be null");
            }
            if (channels != null) {
                channels.clear();
            }
            for (String c : names) {
                channel(c);
            }
            return this;
        }

        /** Delivers at this instant rather than now; null clears it. */
        public Builder scheduledAt(Instant at) {
            this.scheduledAt = at;
            return this;
        }

        /** Drops undelivered copies at this instant; null clears it. */
        public Builder expiresAt(Instant at) {
            this.expiresAt = at;
            return this;
        }

        /** Sets the idempotency key; null clears it. */
        public Builder idempotencyKey(String key) {
            this.idempotencyKey = key == null ? null : checkText("idempotencyKey", key, MAX_KEY_LENGTH);
            if (key != null && key.isBlank()) {
                throw new IllegalArgumentException("idempotencyKey must not be blank");
            }
            return this;
        }

        /**
         * Sets the collapse key (at most {@value #MAX_KEY_LENGTH} characters: letters, digits and
         * {@code _ . : - /}), such as {@code task:abc123}; null clears it. See {@link Notification#collapseKey()}.
         */
        public Builder collapseKey(String key) {
            this.collapseKey = key == null ? null : checkName("collapseKey", key, MAX_KEY_LENGTH, NAME);
            return this;
        }

        /** Adds one metadata entry. */
        public Builder metadata(String key, String value) {
            checkText("metadata key", key, MAX_KEY_LENGTH);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("metadata keys must not be empty");
            }
            if (value == null) {
                throw new IllegalArgumentException("metadata '" + key + "' must not be null");
            }
            checkText("metadata '" + key + "'", value, MAX_KEY_LENGTH);
            Map<String, String> m = metadata();
            if (m.size() >= MAX_METADATA_ENTRIES && !m.containsKey(key)) {
                throw new IllegalArgumentException("more than " + MAX_METADATA_ENTRIES + " metadata entries");
            }
            m.put(key, value);
            return this;
        }

        /** Replaces the metadata. */
        public Builder metadata(Map<String, String> entries) {
            if (entries == null) {
                throw new IllegalArgumentException("metadata must not be null");
            }
            if (metadata != null) {
                metadata.clear();
            }
            entries.forEach(this::metadata);
            return this;
        }

        /** Sets the creation time; the service stamps its own clock's time on accept. */
        public Builder createdAt(Instant at) {
            this.createdAt = Objects.requireNonNull(at, "createdAt must not be null");
            return this;
        }

        /**
         * Builds the notification.
         *
         * @throws IllegalArgumentException when there is neither a recipient nor a topic, or
         *         {@code expiresAt} is not after {@code scheduledAt}
         */
        public Notification build() {
            return new Notification(this);
        }

        private static String checkName(String what, String value, int max, Pattern pattern) {
            if (value == null) {
                throw new IllegalArgumentException(what + " must not be null");
            }
            if (value.length() > max) {
                throw new IllegalArgumentException(what + " is " + value.length() + " characters long; at most " + max + " are allowed");
            }
            if (!pattern.matcher(value).matches()) {
                throw new IllegalArgumentException(what + " '" + Excerpts.of(value, 64) + "' contains characters that are not allowed"
                        + " (letters, digits and _ . : - / are; spaces and control characters are not)");
            }
            return value;
        }

        private static void checkRecipient(String userId) {
            if (userId == null || userId.isBlank()) {
                throw new IllegalArgumentException("a recipient must be a non-blank user id");
            }
            if (userId.length() > MAX_RECIPIENT_LENGTH) {
                throw new IllegalArgumentException("recipient id is " + userId.length() + " characters long; at most " + MAX_RECIPIENT_LENGTH + " are allowed");
            }
            if (!userId.strip().equals(userId) || hasControl(userId)) {
                throw new IllegalArgumentException("recipient '" + Excerpts.of(userId, 64) + "' has surrounding spaces or control characters");
            }
        }

        private static String checkText(String what, String value, int max) {
            if (value == null) {
                return "";
            }
            if (value.length() > max) {
                throw new IllegalArgumentException(what + " is " + value.length() + " characters long; at most " + max + " are allowed");
            }
            if (value.indexOf('\u0000') >= 0) {
                // PostgreSQL keeps no NUL in text: refused here, for every store alike, rather than by one database
                throw new IllegalArgumentException(what + " contains the character U+0000 (NUL), which is not allowed");
            }
            return value;
        }

        private static Object copyJson(String path, Object value, int depth, int[] size) {
            if (depth > MAX_DATA_DEPTH) {
                throw new IllegalArgumentException("data is nested deeper than " + MAX_DATA_DEPTH + " levels at " + path);
            }
            if (value == null || value instanceof Boolean) {
                size[0] += 5;
            } else if (value instanceof String) {
                size[0] += ((String) value).length() + 2;
            } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
                size[0] += 20;
            } else if (value instanceof BigInteger || value instanceof BigDecimal) {
                // digits counted without formatting: BigDecimal's toPlainString of 1e999999999 is a billion characters
                BigInteger digits = value instanceof BigInteger ? (BigInteger) value : ((BigDecimal) value).unscaledValue();
                long estimate = digits.bitLength() * 30103L / 100000; // log10(2): within one of the digit count
                if (estimate > MAX_NUMBER_DIGITS) {
                    throw new IllegalArgumentException("data at " + path + " is a number of about " + estimate + " digits; at most "
                            + MAX_NUMBER_DIGITS + " are allowed");
                }
                size[0] += (int) estimate + 14;
            } else if (value instanceof Double || value instanceof Float) {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("data at " + path + " is " + d + ", which JSON cannot carry");
                }
                size[0] += 24;
            } else if (value instanceof Map) {
                Map<String, Object> copy = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    if (!(e.getKey() instanceof String)) {
                        throw new IllegalArgumentException("data at " + path + " has a key that is not a string: " + e.getKey());
                    }
                    String key = (String) e.getKey();
                    size[0] += key.length() + 4;
                    copy.put(key, copyJson(path + "." + key, e.getValue(), depth + 1, size));
                }
                value = Collections.unmodifiableMap(copy);
            } else if (value instanceof Collection) {
                List<Object> copy = new ArrayList<>();
                int i = 0;
                for (Object o : (Collection<?>) value) {
                    copy.add(copyJson(path + "[" + i++ + "]", o, depth + 1, size));
                    size[0] += 1;
                }
                value = Collections.unmodifiableList(copy);
            } else {
                throw new IllegalArgumentException("data at " + path + " is a " + value.getClass().getName()
                        + "; only maps, lists, strings, numbers, booleans and null are allowed");
            }
            if (size[0] > MAX_DATA_SIZE) {
                throw new IllegalArgumentException("data is larger than " + MAX_DATA_SIZE + " characters as JSON");
            }
            return value;
        }

        private static boolean hasControl(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (Character.isISOControl(s.charAt(i))) {
                    return true;
                }
            }
            return false;
        }

    }
}
