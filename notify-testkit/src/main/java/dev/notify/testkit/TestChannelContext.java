package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.WebRegistry;
import dev.notify.api.spi.WebhookEndpointStore;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A {@link ChannelContext} for a channel's own tests, built from the pieces the test supplies.
 *
 * <p>Pass the pieces your channel uses: the test kit's in-memory doubles
 * ({@link SimpleJsonCodec}, {@link InMemorySubscriberHub}, {@link InMemoryEventLog},
 * {@link InMemoryInbox}; {@link Builder#inMemoryDoubles()} sets them all), your own, or the host's
 * (from {@code notify-core}, though a plugin's tests should not need it). Asking the context for a
 * piece that was not given throws an {@link IllegalStateException} naming the builder method to
 * call; there is no webhook registry double (use a store's {@code webhookEndpoints()}).
 * What needs no library has a default:
 * <ul>
 *   <li>{@link #config()}: {@link Config#empty()};</li>
 *   <li>{@link #clock()}: {@link Clock#systemUTC()} (pass a fixed or movable clock for timing tests);</li>
 *   <li>{@link #scheduler()}: a single-threaded daemon scheduler that this context owns and shuts
 *       down in {@link #close()}; a scheduler passed to the builder is the caller's to shut down;</li>
 *   <li>{@link #metrics()}: a {@link RecordingMetrics} to assert on;</li>
 *   <li>{@link #web()}: empty, as in a library host without an HTTP server;</li>
 *   <li>{@link #logger()}: {@code System.getLogger("dev.notify.channel." + channelName)}.</li>
 * </ul>
 *
 * <pre>{@code
 * try (TestChannelContext context = TestChannelContext.builder("file")
 *         .config(Map.of("path", tempDir.resolve("out.log").toString()))
 *         .json(new JsonbCodec())
 *         .build()) {
 *     Channel channel = new FileChannelProvider().create(context);
 *     ...
 * }
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class TestChannelContext implements ChannelContext, AutoCloseable {

    private final String channelName;
    private final Config config;
    private final JsonCodec json;
    private final SubscriberHub hub;
    private final EventLog eventLog;
    private final Inbox inbox;
    private final WebhookEndpointStore webhookEndpoints;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Metrics metrics;
    private final WebRegistry web;
    private final System.Logger logger;
    private final List<OperationalEvent> emitted = new CopyOnWriteArrayList<>();

    private TestChannelContext(Builder b) {
        this.channelName = b.channelName;
        this.config = b.config;
        this.json = b.json;
        this.hub = b.hub;
        this.eventLog = b.eventLog;
        this.inbox = b.inbox;
        this.webhookEndpoints = b.webhookEndpoints;
        this.clock = b.clock;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? ownScheduler(b.channelName) : b.scheduler;
        this.metrics = b.metrics != null ? b.metrics : new RecordingMetrics();
        this.web = b.web;
        this.logger = b.logger != null ? b.logger : System.getLogger("dev.notify.channel." + b.channelName);
    }

    private static ScheduledExecutorService ownScheduler(String channelName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "notify-test-" + channelName + "-scheduler");
            // a test that forgets close() must not keep the JVM alive
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(executor);
    }

    /** A builder for the context of the channel named {@code channelName} (used for the logger and the scheduler thread). */
    public static Builder builder(String channelName) {
        return new Builder(channelName);
    }

    /** The channel name this context was built for. */
    @Override
    public String channelName() {
        return channelName;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public JsonCodec json() {
        return require(json, "JsonCodec", "json(JsonCodec)");
    }

    @Override
    public SubscriberHub hub() {
        return require(hub, "SubscriberHub", "hub(SubscriberHub)");
    }

    @Override
    public EventLog eventLog() {
        return require(eventLog, "EventLog", "eventLog(EventLog)");
    }

    @Override
    public Inbox inbox() {
        return require(inbox, "Inbox", "inbox(Inbox)");
    }

    @Override
    public WebhookEndpointStore webhookEndpoints() {
        return require(webhookEndpoints, "WebhookEndpointStore", "webhookEndpoints(WebhookEndpointStore)");
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    /**
     * The metrics as a {@link RecordingMetrics}, to assert on what the channel reported.
     *
     * @throws IllegalStateException when the builder was given other metrics
     */
    public RecordingMetrics recordedMetrics() {
        if (!(metrics instanceof RecordingMetrics)) {
            throw new IllegalStateException("this context was built with its own Metrics (" + metrics.getClass().getName()
                    + "), not the default RecordingMetrics");
        }
        return (RecordingMetrics) metrics;
    }

    @Override
    public Optional<WebRegistry> web() {
        return Optional.ofNullable(web);
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    /**
     * Records the event (and logs it, as the default does), for assertions through
     * {@link #operationalEvents()}.
     */
    @Override
    public void emitOperationalEvent(String event, String message, Map<String, Object> details) {
        emitted.add(new OperationalEvent(event, message,
                details == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details))));
        ChannelContext.super.emitOperationalEvent(event, message, details);
    }

    /** The operational events the channel emitted so far, oldest first. */
    public List<OperationalEvent> operationalEvents() {
        return List.copyOf(emitted);
    }

    /** One {@link ChannelContext#emitOperationalEvent} call. */
    public record OperationalEvent(String event, String message, Map<String, Object> details) {
    }

    private final List<String> settingsChanged = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<String>> settingListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> deferredDueNow = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Records the id, as a host would send it to the other nodes; see {@link #settingsChanged()}. */
    @Override
    public void settingChanged(String id) {
        settingsChanged.add(id);
    }

    /** The ids the channel said changed ({@link ChannelContext#settingChanged}), oldest first. */
    public List<String> settingsChanged() {
        return List.copyOf(settingsChanged);
    }

    @Override
    public void onSettingChanged(java.util.function.Consumer<String> listener) {
        settingListeners.add(listener);
    }

    /** Plays another node saying that a setting of this channel changed: calls the channel's listeners with {@code id}. */
    public void announceSettingChanged(String id) {
        settingListeners.forEach(l -> l.accept(id));
    }

    /** Records the target; see {@link #deferredDueNow()}. */
    @Override
    public void deferredDueNow(String target) {
        deferredDueNow.add(target);
    }

    /** The targets whose deferred deliveries the channel asked to have due now ({@link ChannelContext#deferredDueNow}), oldest first. */
    public List<String> deferredDueNow() {
        return List.copyOf(deferredDueNow);
    }

    private final List<Map.Entry<String, Integer>> pulled = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Records the target and the limit; see {@link #pulled()}. */
    @Override
    public void deferredDueNow(String target, int limit) {
        pulled.add(Map.entry(target, limit));
    }

    /**
     * The targets and limits of the channel's requests for some of their deferred deliveries
     * ({@link ChannelContext#deferredDueNow(String, int)}), oldest first.
     */
    public List<Map.Entry<String, Integer>> pulled() {
        return List.copyOf(pulled);
    }

    /** Shuts down the scheduler if this context created it. Idempotent. */
    @Override
    public void close() {
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    private <T> T require(T piece, String what, String builderMethod) {
        if (piece == null) {
            throw new IllegalStateException("channel '" + channelName + "' asked its context for a " + what
                    + ", but the test built TestChannelContext without one: call TestChannelContext.builder(...)."
                    + builderMethod + " in the test");
        }
        return piece;
    }

    /** Builds a {@link TestChannelContext}; every piece is optional. Not thread-safe. */
    public static final class Builder {
        private final String channelName;
        private Config config = Config.empty();
        private JsonCodec json;
        private SubscriberHub hub;
        private EventLog eventLog;
        private Inbox inbox;
        private WebhookEndpointStore webhookEndpoints;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private Metrics metrics;
        private WebRegistry web;
        private System.Logger logger;

        private Builder(String channelName) {
            this.channelName = Objects.requireNonNull(channelName, "channelName");
        }

        /** The channel's configuration node (keys relative to {@code channels.<name>.}). */
        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The channel's configuration node from a map (keys relative to {@code channels.<name>.}). */
        public Builder config(Map<String, String> values) {
            return config(Config.of(Objects.requireNonNull(values, "values")));
        }

        /** The JSON codec; there is no default, since a codec needs a JSON library. */
        public Builder json(JsonCodec json) {
            this.json = Objects.requireNonNull(json, "json");
            return this;
        }

        /** The live-subscriber hub; stream channels need one. */
        public Builder hub(SubscriberHub hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
            return this;
        }

        /** The event log for replays; a {@code NotificationStore} is one. */
        public Builder eventLog(EventLog eventLog) {
            this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
            return this;
        }

        /** The users' inboxes. */
        public Builder inbox(Inbox inbox) {
            this.inbox = Objects.requireNonNull(inbox, "inbox");
            return this;
        }

        /** The webhook endpoint registry; a store's {@code webhookEndpoints()} is one. */
        public Builder webhookEndpoints(WebhookEndpointStore webhookEndpoints) {
            this.webhookEndpoints = Objects.requireNonNull(webhookEndpoints, "webhookEndpoints");
            return this;
        }

        /** The clock; {@link Clock#systemUTC()} by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A scheduler the caller owns (and shuts down); by default the context makes and owns one. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The metrics; a {@link RecordingMetrics} by default. */
        public Builder metrics(Metrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** The HTTP route registry, for channels that serve HTTP; absent by default. */
        public Builder web(WebRegistry web) {
            this.web = Objects.requireNonNull(web, "web");
            return this;
        }

        /** The logger; {@code System.getLogger("dev.notify.channel.<name>")} by default. */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /**
         * Fills in the pieces not given yet with the test kit's in-memory doubles: a
         * {@link SimpleJsonCodec}, an {@link InMemorySubscriberHub} without a connection limit, an
         * empty {@link InMemoryEventLog} and an empty {@link InMemoryInbox} that signals stats
         * through the hub, as the engine does. Reach them through the context's getters (cast to
         * the double's type) to append events, fill inboxes or look at subscriptions.
         */
        public Builder inMemoryDoubles() {
            if (json == null) {
                json = new SimpleJsonCodec();
            }
            if (hub == null) {
                hub = new InMemorySubscriberHub();
            }
            if (eventLog == null) {
                eventLog = new InMemoryEventLog();
            }
            if (inbox == null) {
                inbox = new InMemoryInbox(clock).signalStatsTo(hub);
            }
            return this;
        }

        /** Builds the context; it owns a scheduler thread unless one was given, so close it. */
        public TestChannelContext build() {
            return new TestChannelContext(this);
        }
    }
}
