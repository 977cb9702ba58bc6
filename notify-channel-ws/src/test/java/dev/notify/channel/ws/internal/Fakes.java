package dev.notify.channel.ws.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Page;
import dev.notify.api.TopicPatterns;
import dev.notify.api.spi.ConnectionInfo;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.JsonException;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Hand-written stand-ins for the host's pieces, so these tests need notify-api alone
 * (the plugin must never depend on notify-core, not even in tests).
 */
final class Fakes {

    private Fakes() {
    }

    /** Writes maps, lists, strings, numbers, booleans and null as JSON; enough for frames and problems. */
    static final class TinyJson implements JsonCodec {
        @Override
        public String toJson(Object value) {
            StringBuilder sb = new StringBuilder();
            write(sb, value);
            return sb.toString();
        }

        private static void write(StringBuilder sb, Object v) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String) {
                sb.append('"');
                String s = (String) v;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    switch (c) {
                        case '"': sb.append("\\\""); break;
                        case '\\': sb.append("\\\\"); break;
                        case '\n': sb.append("\\n"); break;
                        case '\r': sb.append("\\r"); break;
                        case '\t': sb.append("\\t"); break;
                        default:
                            if (c < 0x20) {
                                sb.append(String.format("\\u%04x", (int) c));
                            } else {
                                sb.append(c);
                            }
                    }
                }
                sb.append('"');
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else if (v instanceof Map) {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    write(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            } else if (v instanceof Collection) {
                sb.append('[');
                boolean first = true;
                for (Object o : (Collection<?>) v) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    write(sb, o);
                }
                sb.append(']');
            } else if (v instanceof Instant) {
                write(sb, v.toString());
            } else {
                throw new IllegalArgumentException("TinyJson cannot write " + v.getClass());
            }
        }

        @Override
        public <T> T fromJson(String json, Class<T> type) {
            throw new UnsupportedOperationException("not needed by the channel");
        }

        @Override
        public Map<String, Object> parseObject(String json) {
            Reader r = new Reader(json);
            r.ws();
            Object v = r.value();
            r.ws();
            if (r.i != json.length()) {
                throw new JsonException("trailing characters at " + r.i);
            }
            if (!(v instanceof Map)) {
                throw new JsonException("not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return m;
        }

        /** A small strict JSON reader: objects, arrays, strings (simple escapes), numbers as BigDecimal, literals. */
        private static final class Reader {
            final String s;
            int i;

            Reader(String s) {
                this.s = s;
            }

            void ws() {
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
            }

            Object value() {
                if (i >= s.length()) {
                    throw new JsonException("unexpected end of input");
                }
                char c = s.charAt(i);
                if (c == '{') {
                    i++;
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    ws();
                    if (peek() == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        ws();
                        if (peek() != '"') {
                            throw new JsonException("expected a key at " + i);
                        }
                        String k = string();
                        ws();
                        expect(':');
                        ws();
                        m.put(k, value());
                        ws();
                        char d = next();
                        if (d == '}') {
                            return m;
                        }
                        if (d != ',') {
                            throw new JsonException("expected , or } at " + (i - 1));
                        }
                    }
                }
                if (c == '[') {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek() == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        ws();
                        l.add(value());
                        ws();
                        char d = next();
                        if (d == ']') {
                            return l;
                        }
                        if (d != ',') {
                            throw new JsonException("expected , or ] at " + (i - 1));
                        }
                    }
                }
                if (c == '"') {
                    return string();
                }
                if (s.startsWith("true", i)) {
                    i += 4;
                    return Boolean.TRUE;
                }
                if (s.startsWith("false", i)) {
                    i += 5;
                    return Boolean.FALSE;
                }
                if (s.startsWith("null", i)) {
                    i += 4;
                    return null;
                }
                int start = i;
                while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                if (start == i) {
                    throw new JsonException("unexpected character '" + c + "' at " + i);
                }
                try {
                    return new java.math.BigDecimal(s.substring(start, i));
                } catch (NumberFormatException e) {
                    throw new JsonException("bad number at " + start);
                }
            }

            String string() {
                expect('"');
                StringBuilder sb = new StringBuilder();
                while (true) {
                    char c = next();
                    if (c == '"') {
                        return sb.toString();
                    }
                    if (c == '\\') {
                        char e = next();
                        switch (e) {
                            case 'n': sb.append('\n'); break;
                            case 't': sb.append('\t'); break;
                            case 'r': sb.append('\r'); break;
                            case 'u': sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                            default: sb.append(e);
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }

            char peek() {
                if (i >= s.length()) {
                    throw new JsonException("unexpected end of input");
                }
                return s.charAt(i);
            }

            char next() {
                char c = peek();
                i++;
                return c;
            }

            void expect(char c) {
                if (next() != c) {
                    throw new JsonException("expected '" + c + "' at " + (i - 1));
                }
            }
        }
    }

    /** A hub that matches like the engine's: user entries by user, topic entries by topic or pattern. */
    static final class FakeHub implements SubscriberHub {
        final List<Sub> subs = new CopyOnWriteArrayList<>();
        final int maxPerUser;

        FakeHub(int maxPerUser) {
            this.maxPerUser = maxPerUser;
        }

        final class Sub implements Subscription {
            final SubscriptionRequest request;
            final Subscriber subscriber;
            volatile Set<String> topics;
            volatile boolean closed;

            Sub(SubscriptionRequest request, Subscriber subscriber) {
                this.request = request;
                this.subscriber = subscriber;
                this.topics = request.topics();
            }

            @Override
            public String clientId() {
                return request.clientId();
            }

            @Override
            public Set<String> topics() {
                return topics;
            }

            @Override
            public void updateTopics(Set<String> topics) {
                this.topics = Set.copyOf(topics);
            }

            @Override
            public void close() {
                closed = true;
                subs.remove(this);
            }
        }

        @Override
        public synchronized Subscription subscribe(SubscriptionRequest request, Subscriber subscriber) {
            if (connectionCount(request.userId()) >= maxPerUser) {
                throw new TooManyConnectionsException(request.userId(), maxPerUser);
            }
            Sub s = new Sub(request, subscriber);
            subs.add(s);
            return s;
        }

        @Override
        public int fanOut(String channel, EventLogEntry entry) {
            int n = 0;
            for (Sub s : subs) {
                if (!s.request.channel().equals(channel)) {
                    continue;
                }
                boolean match;
                if (entry.audience() instanceof Audience.User) {
                    match = ((Audience.User) entry.audience()).userId().equals(s.request.userId());
                } else {
                    String topic = ((Audience.Topic) entry.audience()).topic();
                    match = s.topics.stream().anyMatch(t -> TopicPatterns.matches(t, topic));
                }
                if (match) {
                    s.subscriber.onEvent(entry);
                    n++;
                }
            }
            return n;
        }

        @Override
        public void signal(String userId, HubSignal signal) {
            for (Sub s : subs) {
                if (s.request.userId().equals(userId)) {
                    s.subscriber.onSignal(signal);
                }
            }
        }

        @Override
        public void signalAll(HubSignal signal) {
            for (Sub s : subs) {
                s.subscriber.onSignal(signal);
            }
        }

        @Override
        public List<ConnectionInfo> connections() {
            List<ConnectionInfo> out = new ArrayList<>();
            for (Sub s : subs) {
                out.add(new ConnectionInfo(s.request.channel(), s.request.clientId(), s.request.userId(), s.request.topics(), Instant.EPOCH));
            }
            return out;
        }

        @Override
        public int connectionCount(String userId) {
            return (int) subs.stream().filter(s -> s.request.userId().equals(userId)).count();
        }
    }

    /** An event log over a list; tests append entries and may mark it pruned. */
    static final class FakeEventLog implements EventLog {
        final List<EventLogEntry> entries = new CopyOnWriteArrayList<>();
        volatile long prunedThrough;
        volatile int reads;

        void append(EventLogEntry e) {
            entries.add(e);
        }

        @Override
        public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
            reads++;
            List<EventLogEntry> out = new ArrayList<>();
            for (EventLogEntry e : entries) {
                if (e.sequence() <= afterSequence || out.size() == limit) {
                    continue;
                }
                boolean match;
                if (e.audience() instanceof Audience.User) {
                    match = ((Audience.User) e.audience()).userId().equals(userId);
                } else {
                    String topic = ((Audience.Topic) e.audience()).topic();
                    match = topics.stream().anyMatch(t -> TopicPatterns.matches(t, topic));
                }
                if (match) {
                    out.add(e);
                }
            }
            return new EventLogSlice(out, latestSequence(), afterSequence < prunedThrough);
        }

        @Override
        public long latestSequence() {
            return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).sequence();
        }
    }

    /** An inbox with fixed counts and recent items. */
    static final class FakeInbox implements Inbox {
        volatile InboxStats stats = new InboxStats(3, 2, 1);
        volatile SubscriberHub hub;
        final List<String> marked = new CopyOnWriteArrayList<>();
        volatile List<InboxItem> recent = List.of();

        @Override
        public Page<InboxItem> list(InboxQuery query) {
            return new Page<>(recent, Optional.empty());
        }

        @Override
        public InboxStats stats(String userId) {
            return stats;
        }

        @Override
        public List<InboxItem> recentUnread(String userId, int limit) {
            return recent.subList(0, Math.min(limit, recent.size()));
        }

        @Override
        public int mark(String userId, Collection<String> notificationIds, boolean read) {
            marked.addAll(notificationIds);
            stats = new InboxStats(stats.total(), stats.unread() - 1, stats.read() + 1);
            if (hub != null) {
                hub.signal(userId, new HubSignal.StatsChanged(stats));
            }
            return notificationIds.size();
        }

        @Override
        public int markAllRead(String userId) {
            marked.add("*");
            return 0;
        }

        @Override
        public int delete(String userId, Collection<String> notificationIds) {
            return 0;
        }
    }
}
