package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.ConnectionInfo;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The in-process {@link SubscriberHub}: subscriptions indexed by user and by exact topic, with
 * a short list for pattern subscriptions, so a fan-out touches only the subscribers it reaches.
 */
final class LocalSubscriberHub implements SubscriberHub {

    private static final System.Logger LOG = System.getLogger(LocalSubscriberHub.class.getName());

    private final Clock clock;
    private final int maxConnectionsPerUser;
    private final Map<String, Set<Entry>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<Entry>> byTopic = new ConcurrentHashMap<>();
    // pattern subscriptions by prefix ("task:" for "task:*", "" for "*"): a subscribe or unsubscribe
    // touches one small set (a copy-on-write set of every pattern subscriber was copied whole on each,
    // so one user's subscribe/unsubscribe loop cost every other user), and a topic event looks only at
    // the distinct prefixes in use instead of at every pattern subscriber
    private final Map<String, Set<Entry>> byPrefix = new ConcurrentHashMap<>();
    private final Map<String, Entry> byClient = new ConcurrentHashMap<>();

    /** A hub allowing {@code maxConnectionsPerUser} connections per user. */
    LocalSubscriberHub(Clock clock, int maxConnectionsPerUser) {
        this.clock = clock;
        this.maxConnectionsPerUser = maxConnectionsPerUser;
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, Subscriber subscriber) {
        Entry e = new Entry(request, subscriber, clock.instant());
        synchronized (byUser) {
            Set<Entry> mine = byUser.computeIfAbsent(request.userId(), k -> ConcurrentHashMap.newKeySet());
            if (mine.size() >= maxConnectionsPerUser) {
                if (mine.isEmpty()) {
                    byUser.remove(request.userId());
                }
                throw new TooManyConnectionsException(request.userId(), maxConnectionsPerUser);
            }
            if (byClient.putIfAbsent(request.clientId(), e) != null) {
                throw new IllegalArgumentException("client id " + request.clientId() + " is already subscribed");
            }
            mine.add(e);
        }
        e.indexTopics(e.topics);
        return e;
    }

    @Override
    public int fanOut(String channel, EventLogEntry entry) {
        int n = 0;
        Audience a = entry.audience();
        if (a instanceof Audience.User) {
            Set<Entry> subs = byUser.get(((Audience.User) a).userId());
            if (subs != null) {
                for (Entry e : subs) {
                    if (e.channel.equals(channel)) {
                        n += e.deliver(entry);
                    }
                }
            }
        } else {
            String topic = ((Audience.Topic) a).topic();
            Set<Entry> subs = byTopic.get(topic);
            if (subs != null) {
                for (Entry e : subs) {
                    if (e.channel.equals(channel)) {
                        n += e.deliver(entry);
                    }
                }
            }
            n += fanOutToPatterns(channel, entry, topic, subs);
        }
        return n;
    }

    private int fanOutToPatterns(String channel, EventLogEntry entry, String topic, Set<Entry> exact) {
        Set<Entry> only = null;
        List<Set<Entry>> several = null;
        for (Map.Entry<String, Set<Entry>> p : byPrefix.entrySet()) {
            if (!topic.startsWith(p.getKey())) {
                continue;
            }
            if (only == null) {
                only = p.getValue();
            } else {
                if (several == null) {
                    several = new ArrayList<>(4);
                    several.add(only);
                }
                several.add(p.getValue());
            }
        }
        if (only == null) {
            return 0;
        }
        // a subscriber of task:* and task:a* is matched twice, and one of the topic itself was reached already
        Iterable<Entry> targets = only;
        if (several != null) {
            Set<Entry> union = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            several.forEach(union::addAll);
            targets = union;
        }
        int n = 0;
        for (Entry e : targets) {
            if (e.channel.equals(channel) && (exact == null || !exact.contains(e))) {
                n += e.deliver(entry);
            }
        }
        return n;
    }

    @Override
    public void signal(String userId, HubSignal signal) {
        Set<Entry> subs = byUser.get(userId);
        if (subs != null) {
            for (Entry e : subs) {
                e.signal(signal);
            }
        }
    }

    @Override
    public void signalAll(HubSignal signal) {
        for (Entry e : byClient.values()) {
            e.signal(signal);
        }
    }

    @Override
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> out = new ArrayList<>();
        for (Entry e : byClient.values()) {
            out.add(new ConnectionInfo(e.channel, e.clientId, e.userId, e.topics, e.connectedAt));
        }
        return out;
    }

    @Override
    public int connectionCount(String userId) {
        Set<Entry> subs = byUser.get(userId);
        return subs == null ? 0 : subs.size();
    }

    /** Whether any subscriber listens for this user (used to skip work nobody would see). */
    boolean hasSubscribers(String userId) {
        Set<Entry> subs = byUser.get(userId);
        return subs != null && !subs.isEmpty();
    }

    private final class Entry implements Subscription {
        final String channel;
        final String clientId;
        final String userId;
        final Subscriber subscriber;
        final java.time.Instant connectedAt;
        volatile Set<String> topics;
        final AtomicBoolean closed = new AtomicBoolean();

        Entry(SubscriptionRequest r, Subscriber subscriber, java.time.Instant connectedAt) {
            this.channel = r.channel();
            this.clientId = r.clientId();
            this.userId = r.userId();
            this.subscriber = subscriber;
            this.topics = r.topics();
            this.connectedAt = connectedAt;
        }

        int deliver(EventLogEntry entry) {
            try {
                subscriber.onEvent(entry);
                return 1;
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "subscriber " + clientId + " of " + channel + " failed; unsubscribing it", ex);
                close();
                return 0;
            }
        }

        void signal(HubSignal s) {
            try {
                subscriber.onSignal(s);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "subscriber " + clientId + " of " + channel + " failed on a signal; unsubscribing it", ex);
                close();
            }
        }

        void indexTopics(Set<String> ts) {
            for (String t : ts) {
                Map<String, Set<Entry>> index = t.endsWith("*") ? byPrefix : byTopic;
                index.computeIfAbsent(key(t), k -> ConcurrentHashMap.newKeySet()).add(this);
            }
        }

        /** A topic is its own key; a pattern's key is its prefix. */
        private String key(String topic) {
            return topic.endsWith("*") ? topic.substring(0, topic.length() - 1) : topic;
        }

        void unindexTopics(Set<String> ts) {
            for (String t : ts) {
                Map<String, Set<Entry>> index = t.endsWith("*") ? byPrefix : byTopic;
                index.computeIfPresent(key(t), (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }

        @Override
        public String clientId() {
            return clientId;
        }

        @Override
        public Set<String> topics() {
            return topics;
        }

        @Override
        public synchronized void updateTopics(Set<String> newTopics) {
            if (closed.get()) {
                return;
            }
            Set<String> copy = Set.copyOf(newTopics);
            unindexTopics(topics);
            topics = copy;
            indexTopics(copy);
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            synchronized (this) {
                unindexTopics(topics);
            }
            synchronized (byUser) {
                byUser.computeIfPresent(userId, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
                byClient.remove(clientId, this);
            }
        }
    }
}
