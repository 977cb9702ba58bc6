package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.TopicPatterns;
import dev.notify.api.spi.ConnectionInfo;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link SubscriberHub} for a stream channel's tests that matches as the engine's hub does: an
 * entry for a user reaches that user's subscriptions of the delivering channel, an entry for a
 * topic reaches the subscriptions whose topics (or topic patterns) match it. It calls subscribers
 * on the caller's thread, in subscription order, and enforces a per-user connection limit.
 *
 * <pre>{@code
 * InMemorySubscriberHub hub = new InMemorySubscriberHub(5);
 * TestChannelContext context = TestChannelContext.builder("sse").hub(hub).build();
 * ...
 * assertThat(hub.subscriptions()).isEmpty(); // the channel closed its subscription
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class InMemorySubscriberHub implements SubscriberHub {

    private final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final int maxConnectionsPerUser;

    /** A hub without a per-user connection limit. */
    public InMemorySubscriberHub() {
        this(Integer.MAX_VALUE);
    }

    /**
     * A hub that refuses a user's subscription beyond {@code maxConnectionsPerUser} live ones
     * (all channels together) with {@link TooManyConnectionsException}, as the engine's does.
     *
     * @throws IllegalArgumentException if the limit is below 1
     */
    public InMemorySubscriberHub(int maxConnectionsPerUser) {
        if (maxConnectionsPerUser < 1) {
            throw new IllegalArgumentException("maxConnectionsPerUser must be at least 1, got " + maxConnectionsPerUser);
        }
        this.maxConnectionsPerUser = maxConnectionsPerUser;
    }

    /** The live subscriptions, oldest first (a snapshot). */
    public List<Subscription> subscriptions() {
        return List.copyOf(subs);
    }

    @Override
    public synchronized Subscription subscribe(SubscriptionRequest request, Subscriber subscriber) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(subscriber, "subscriber");
        if (connectionCount(request.userId()) >= maxConnectionsPerUser) {
            throw new TooManyConnectionsException(request.userId(), maxConnectionsPerUser);
        }
        Sub s = new Sub(request, subscriber);
        subs.add(s);
        return s;
    }

    @Override
    public int fanOut(String channel, EventLogEntry entry) {
        int n = 0;
        for (Sub s : subs) {
            if (s.request.channel().equals(channel) && s.matches(entry)) {
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
            out.add(new ConnectionInfo(s.request.channel(), s.request.clientId(), s.request.userId(), s.topics, s.since));
        }
        return out;
    }

    @Override
    public int connectionCount(String userId) {
        int n = 0;
        for (Sub s : subs) {
            if (s.request.userId().equals(userId)) {
                n++;
            }
        }
        return n;
    }

    private final class Sub implements Subscription {
        final SubscriptionRequest request;
        final Subscriber subscriber;
        final Instant since = Instant.now();
        volatile Set<String> topics;

        Sub(SubscriptionRequest request, Subscriber subscriber) {
            this.request = request;
            this.subscriber = subscriber;
            this.topics = request.topics();
        }

        boolean matches(EventLogEntry entry) {
            if (entry.audience() instanceof Audience.User) {
                return ((Audience.User) entry.audience()).userId().equals(request.userId());
            }
            String topic = ((Audience.Topic) entry.audience()).topic();
            for (String t : topics) {
                if (TopicPatterns.matches(t, topic)) {
                    return true;
                }
            }
            return false;
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
            subs.remove(this);
        }
    }
}
