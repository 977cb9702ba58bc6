package dev.notify.core;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.WebRegistry;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes notifications and delivers them through every channel that should carry them.
 *
 * <pre>{@code
 * try (NotificationService notify = NotificationService.builder().discoverChannels().build()) {
 *     String id = notify.notify(Notification.builder().recipient("u1").title("Hello").build());
 * }
 * }</pre>
 *
 * <p>A publish is validated, rendered (template), stored (notification, inbox items, event-log
 * entries and one delivery row per push channel and target, in one transaction) and only then
 * acknowledged. Workers take deliveries by priority; failed push deliveries are retried with the
 * {@link RetryPolicy} and end as dead letters. Stream channels get one delivery per notification and
 * fan out to live subscribers through the {@link SubscriberHub}.
 *
 * <p>Errors: invalid input ({@code null}, unknown channel or template, a template missing data)
 * throws {@link IllegalArgumentException} and stores nothing; a full queue throws
 * {@link QueueFullException} and stores nothing; a closed service throws {@link IllegalStateException};
 * storage failures surface as {@link dev.notify.api.spi.StoreException}.
 *
 * <p>This class only assembles the engine's parts and delegates to them (see the package
 * documentation): {@code Publisher} stores and dispatches, {@code DeliveryTracker} runs push
 * deliveries and {@code DeliveryOutcomes} schedules their retries, {@code StreamTailer} feeds live
 * streams, {@code ChannelRegistry} holds the channels, {@code Shutdown} stops it all in order.
 */
public final class NotificationService implements AutoCloseable {

    /** Scope of idempotency keys published without a scope of their own. */
    public static final String DEFAULT_SCOPE = "default";

    private final ServiceConfig config;
    private final Engine engine;

    private NotificationService(Builder b) {
        this.config = b.config;
        this.engine = new Engine(b.config, b.store, b.meterRegistry, b.web, b.clusterSignals, b.providers, b.channels, b.listeners);
    }


    /** A builder with the default configuration and an in-memory store. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- channels and templates --------------------------------------------------------------

    /**
     * Creates a channel from its provider with this service's context and registers it.
     *
     * @throws IllegalArgumentException when a channel of that name is registered already, or the provider is invalid
     */
    public Channel registerChannel(ChannelProvider provider) {
        return engine.channels.register(provider, engine.contexts);
    }

    /**
     * Registers a channel created by hand.
     *
     * @throws IllegalArgumentException when a channel of that name is registered already
     */
    public void registerChannel(Channel channel) {
        engine.channels.register(channel, "manual");
    }

    /** The names of the registered channels. */
    public Set<String> channelNames() {
        return engine.channels.names();
    }

    /** The registered channel of that name. */
    public Optional<Channel> channel(String name) {
        ChannelSlot s = engine.channels.slot(name);
        return s == null ? Optional.empty() : Optional.of(s.channel);
    }

    /**
     * Registers a template that renders the body from the notification's data
     * (Mustache: {@code "Hello {{name}}"}).
     *
     * @throws TemplateException when the text is malformed or the name invalid
     */
    public void registerTemplate(String name, String bodyTemplate) {
        engine.templates.register(name, null, bodyTemplate);
    }

    /** Registers a template that renders both the title and the body. */
    public void registerTemplate(String name, String titleTemplate, String bodyTemplate) {
        if (titleTemplate == null) {
            throw new TemplateException("title template must not be null");
        }
        engine.templates.register(name, titleTemplate, bodyTemplate);
    }

    /** Adds a delivery listener. */
    public void addListener(DeliveryListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        engine.listeners.add(listener);
    }

    // ---- publishing ----------------------------------------------------------------------------

    /**
     * Publishes one notification and returns its id once it is stored. With an idempotency key
     * already used, returns the first notification's id and stores nothing.
     */
    public String notify(Notification notification) {
        return publish(notification, DEFAULT_SCOPE).id();
    }

    /** Publishes one notification with idempotency keys scoped to {@code scope} (the publisher). */
    public PublishReceipt publish(Notification notification, String scope) {
        return publishAll(List.of(Publisher.requireNotification(notification)), scope).get(0);
    }

    /**
     * Publishes to a topic: every live subscriber of the topic receives it, and it is in the
     * event log for subscribers that resume later.
     *
     * <pre>{@code
     * notify.broadcast("task:abc123", Notification.builder().event("task.progress").data(Map.of("percent", 50)));
     * }</pre>
     */
    public String broadcast(String topic, Notification.Builder notification) {
        if (notification == null || topic == null) {
            throw new IllegalArgumentException("topic and notification must not be null");
        }
        return notify(notification.topic(topic).broadcast(true).build());
    }

    /**
     * Sends the notification to every user in {@code recipients}: one notification per
     * {@value Notification#MAX_RECIPIENTS} recipients, all stored in one transaction. Recipients
     * already set on the builder are replaced.
     *
     * @return the ids of the notifications created
     */
    public List<String> notifyAll(Collection<String> recipients, Notification.Builder notification) {
        return Publisher.ids(publishAll(Publisher.splitByRecipients(recipients, notification), DEFAULT_SCOPE));
    }

    /** Publishes several notifications in one transaction: all are stored, or none. */
    public List<String> batchNotify(List<Notification> notifications) {
        return Publisher.ids(publishAll(notifications, DEFAULT_SCOPE));
    }

    /**
     * Publishes several notifications in one transaction with idempotency keys scoped to {@code scope}.
     *
     * @return one receipt per notification, in order
     */
    public List<PublishReceipt> publishAll(List<Notification> notifications, String scope) {
        return engine.publisher.publishAll(notifications, scope);
    }

    // ---- looking things up, cancelling, replaying ---------------------------------------------

    /**
     * Cancels every delivery of the notification that has not been attempted yet (queued,
     * scheduled or waiting for a retry).
     *
     * @return how many deliveries were cancelled
     */
    public int cancel(String notificationId) {
        if (notificationId == null) {
            throw new IllegalArgumentException("notificationId must not be null");
        }
        engine.cancellations.add(notificationId);
        int n = engine.store.cancel(notificationId).size();
        return n + (engine.tailer.cancelHeld(notificationId) ? 1 : 0);
    }

    /** The stored deliveries of a notification (push channels; stream channels keep no rows). */
    public List<DeliveryRecord> deliveries(String notificationId) {
        if (notificationId == null) {
            throw new IllegalArgumentException("notificationId must not be null");
        }
        return engine.store.deliveries(notificationId);
    }

    /** The delivery of a notification through one push channel (the first target's, when there are several). */
    public Optional<DeliveryRecord> delivery(String notificationId, String channel) {
        return deliveries(notificationId).stream().filter(d -> d.channel().equals(channel)).findFirst();
    }

    /** The attempts of a delivery, in order. */
    public List<DeliveryAttempt> attempts(long deliveryId) {
        return engine.store.attempts(deliveryId);
    }

    /** Dead letters, newest first. */
    public Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
        return engine.store.deadLetters(cursor, limit);
    }

    /**
     * Replays a dead letter: it is attempted again at once with a fresh set of attempts.
     *
     * @return the replayed delivery, or empty when no dead letter has that id
     */
    public Optional<DeliveryRecord> replay(long deliveryId) {
        engine.publisher.ensureOpen();
        return engine.tracker.replay(deliveryId);
    }

    /** The stored notification with this id. */
    public Optional<Notification> find(String notificationId) {
        return notificationId == null ? Optional.empty() : engine.store.find(notificationId);
    }

    /** Users' inboxes; changes push new counts to every live connection of the user. */
    public Inbox inbox() {
        return engine.inbox;
    }

    /** The hub of live subscribers. */
    public SubscriberHub hub() {
        return engine.hub;
    }

    /** Users' notification preferences: read and replace what a user wants to receive. */
    public NotificationPreferences preferences() {
        return new NotificationPreferences(engine.preferenceRules, config.clock());
    }

    /** The event log, as stream channels read it. */
    public EventLog eventLog() {
        return engine.eventLog;
    }

    /** The store. */
    public NotificationStore store() {
        return engine.store;
    }

    /** The JSON codec. */
    public JsonCodec json() {
        return engine.json;
    }

    /** The metrics registry (sent, failed, retrying, queued per channel; delivery latency). */
    public MeterRegistry meterRegistry() {
        return engine.meterRegistry;
    }

    /** The configuration. */
    public ServiceConfig config() {
        return config;
    }

    /** How many deliveries wait in the queue. */
    public int queueDepth() {
        return engine.queue.size();
    }

    /** The cluster signal engine in use (the in-process one for a single node). */
    public ClusterSignals clusterSignals() {
        return engine.cluster.engine().orElseThrow();
    }

    /**
     * Tells the node registry where this node serves (a server calls it once it listens), such as
     * {@code http://10.0.0.5:8080}.
     */
    public void advertise(String address) {
        engine.heartbeat.advertise(address == null ? "" : address);
    }

    /** The node registry of the store: this node and every other that shares it, live or gone. */
    public List<dev.notify.api.spi.NodeStatus> nodes() {
        return engine.store.nodes();
    }

    /** How late the last signal from another node arrived, in milliseconds (0 before the first). */
    public long clusterSignalLagMillis() {
        return engine.cluster.lagMillis();
    }

    /** Whether the service still accepts publishes. */
    public boolean isOpen() {
        return engine.publisher.isOpen();
    }

    // ---- shutdown ---------------------------------------------------------------------------------

    /** Closes with a 30 second drain timeout; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops intake, delivers what is queued, waits for deliveries in flight, and reports what it
     * could not finish within {@code timeout}. Unfinished stored deliveries are handed back to the
     * store (delivered after a restart or by another node). Then channels are closed. Idempotent.
     */
    public ShutdownReport close(Duration timeout) {
        return engine.shutdown.close(timeout);
    }

    /** Builds a {@link NotificationService}. */
    public static final class Builder {
        private ServiceConfig config = ServiceConfig.defaults();
        private NotificationStore store;
        private MeterRegistry meterRegistry;
        private WebRegistry web;
        private ClusterSignalProvider clusterSignals;
        private final List<ChannelProvider> providers = new ArrayList<>();
        private final List<Channel> channels = new ArrayList<>();
        private final List<DeliveryListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The configuration (default {@link ServiceConfig#defaults()}). */
        public Builder config(ServiceConfig c) {
            if (c == null) {
                throw new IllegalArgumentException("config must not be null");
            }
            this.config = c;
            return this;
        }

        /** The store; the caller keeps ownership and closes it. Default: a new in-memory store the service owns. */
        public Builder store(NotificationStore s) {
            if (s == null) {
                throw new IllegalArgumentException("store must not be null");
            }
            this.store = s;
            return this;
        }

        /** The Micrometer registry to record metrics in (default a simple in-memory one). */
        public Builder meterRegistry(MeterRegistry r) {
            this.meterRegistry = r;
            return this;
        }

        /** The HTTP route registry channels may contribute to (set by a hosting server). */
        public Builder web(WebRegistry w) {
            this.web = w;
            return this;
        }

        /**
         * The engine that carries cluster signals between nodes sharing the store. Default: the one
         * named by the configuration key {@code cluster.signals} (found by {@link java.util.ServiceLoader}),
         * else the in-process one, right for a single node.
         */
        public Builder clusterSignals(ClusterSignalProvider p) {
            if (p == null) {
                throw new IllegalArgumentException("provider must not be null");
            }
            this.clusterSignals = p;
            return this;
        }

        /** Registers a channel created by hand. */
        public Builder channel(Channel c) {
            if (c == null) {
                throw new IllegalArgumentException("channel must not be null");
            }
            channels.add(c);
            return this;
        }

        /** Registers a channel created from its provider with the service's context. */
        public Builder channel(ChannelProvider p) {
            if (p == null) {
                throw new IllegalArgumentException("provider must not be null");
            }
            providers.add(p);
            return this;
        }

        /** Registers every channel provider found by {@link java.util.ServiceLoader} (module path and classpath). */
        public Builder discoverChannels() {
            providers.addAll(ChannelDiscovery.discoverLogged(null));
            return this;
        }

        /**
         * Registers the discovered channel providers with these names.
         *
         * @throws IllegalArgumentException naming the missing jar when a name is not found
         */
        public Builder discoverChannels(Set<String> names) {
            if (names == null) {
                throw new IllegalArgumentException("names must not be null");
            }
            providers.addAll(ChannelDiscovery.discoverLogged(names));
            return this;
        }

        /** Adds a delivery listener. */
        public Builder listener(DeliveryListener l) {
            if (l == null) {
                throw new IllegalArgumentException("listener must not be null");
            }
            listeners.add(l);
            return this;
        }

        /** Starts the service: creates the channels, the workers and the poller. */
        public NotificationService build() {
            return new NotificationService(this);
        }
    }
}
