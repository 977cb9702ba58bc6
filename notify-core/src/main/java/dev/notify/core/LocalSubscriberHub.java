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
import java.util.function.Consumer;

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
    // how many connections hold each topic or pattern, for interest hooks; guarded by itself
    private final Map<String, Integer> topicHolders = new java.util.HashMap<>();
    private volatile Consumer<Audience> first = a -> { };
    private volatile Consumer<Audience> last = a -> { };

    /** A hub allowing {@code maxConnectionsPerUser} connections per user. */
    LocalSubscriberHub(Clock clock, int maxConnectionsPerUser) {
        this.clock = clock;
        this.maxConnectionsPerUser = maxConnectionsPerUser;
    }

    /**
     * Tells {@code first} when the first live connection of a user, or the first one holding a topic
     * (or {@code prefix:*} pattern), opens and {@code last} when the last one closes, so a cluster
     * engine with per-user or per-topic channels subscribes only to what this node serves. Called
     * under the hub's locks: they must not block.
     */
    void onInterest(Consumer<Audience> first, Consumer<Audience> last) {
        this.first = first;
        this.last = last;
    }

    private void holdTopics(Set<String> ts, int delta) {
        synchronized (topicHolders) {
            for (String t : ts) {
                int n = topicHolders.getOrDefault(t, 0) + delta;
                if (n <= 0) {
                    topicHolders.remove(t);
                    last.accept(Audience.topic(t));
                } else {
                    topicHolders.put(t, n);
                    if (n == 1 && delta > 0) {
                        first.accept(Audience.topic(t));
                    }
                }
            }
        }
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, Subscriber subscriber) {
        Entry e = new Entry(request, subscriber, clock.millis());
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
            boolean firstOfUser = mine.isEmpty();
            mine.add(e);
            if (firstOfUser) {
                // inside the lock: a close of the same user's last connection cannot overtake it
                first.accept(Audience.user(request.userId()));
            }
        }
        synchronized (e) {
            // a subscriber that failed at once may be closed already: then it holds nothing
            if (!e.isClosed()) {
                e.indexTopics(e.topics);
                holdTopics(e.topics, 1);
                e.holding = true;
            }
        }
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
            out.add(new ConnectionInfo(e.channel, e.clientId, e.userId, e.topics, java.time.Instant.ofEpochMilli(e.connectedAtMillis)));
        }
        return out;
    }

    @Override
    public int connectionCount(String userId) {
        Set<Entry> subs = byUser.get(userId);
        return subs == null ? 0 : subs.size();
    }

    /** How many connections are live on this node, without listing them (the node registry's heartbeat asks every few seconds). */
    int connectionCount() {
        return byClient.size();
    }

    /** The users holding live connections now. */
    List<String> userIds() {
        return new ArrayList<>(byUser.keySet());
    }

    /** Whether any subscriber listens for this user (used to skip work nobody would see). */
    boolean hasSubscribers(String userId) {
        Set<Entry> subs = byUser.get(userId);
        return subs != null && !subs.isEmpty();
    }

    /**
     * Whether a connection of the user here also holds a topic or pattern: its entries then come
     * from several audiences, and only the log says in which order.
     */
    boolean holdsTopics(String userId) {
        Set<Entry> subs = byUser.get(userId);
        if (subs != null) {
            for (Entry e : subs) {
                if (!e.topics.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    // one per live connection, so kept small: the time as millis rather than an Instant, the closed flag a field
    // rather than an AtomicBoolean (32 bytes a connection less)
    private final class Entry implements Subscription {
        private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Entry> CLOSED =
                java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Entry.class, "closed");
        final String channel;
        final String clientId;
        final String userId;
        final Subscriber subscriber;
        final long connectedAtMillis;
        volatile Set<String> topics;
        private volatile int closed;
        boolean holding; // its topics are indexed and counted; guarded by this entry

        Entry(SubscriptionRequest r, Subscriber subscriber, long connectedAtMillis) {
            this.channel = r.channel();
            this.clientId = r.clientId();
            this.userId = r.userId();
            this.subscriber = subscriber;
            this.topics = r.topics();
            this.connectedAtMillis = connectedAtMillis;
        }

        boolean isClosed() {
            return closed != 0;
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
            if (isClosed() || !holding) {
                return;
            }
            Set<String> copy = Set.copyOf(newTopics);
            Set<String> old = topics;
            // held before the old ones are let go: a topic in both is not dropped and taken again
            holdTopics(copy, 1);
            unindexTopics(old);
            topics = copy;
            indexTopics(copy);
            holdTopics(old, -1);
        }

        @Override
        public void close() {
            if (!CLOSED.compareAndSet(this, 0, 1)) {
                return;
            }
            synchronized (this) {
                if (holding) {
                    unindexTopics(topics);
                    holdTopics(topics, -1);
                    holding = false;
                }
            }
            synchronized (byUser) {
                Set<Entry> left = byUser.computeIfPresent(userId, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
                byClient.remove(clientId, this);
                if (left == null) {
                    last.accept(Audience.user(userId));
                }
            }
        }
    }
}
