package dev.notify.channel.poll.internal;

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
            throw new UnsupportedOperationException("not needed by the channel");
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
            volatile boolean closed;

            Sub(SubscriptionRequest request, Subscriber subscriber) {
                this.request = request;
                this.subscriber = subscriber;
            }

            @Override
            public String clientId() {
                return request.clientId();
            }

            @Override
            public Set<String> topics() {
                return request.topics();
            }

            @Override
            public void updateTopics(Set<String> topics) {
                throw new UnsupportedOperationException();
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
                    match = s.request.topics().stream().anyMatch(t -> TopicPatterns.matches(t, topic));
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
            return 0;
        }

        @Override
        public int markAllRead(String userId) {
            return 0;
        }

        @Override
        public int delete(String userId, Collection<String> notificationIds) {
            return 0;
        }
    }
}
