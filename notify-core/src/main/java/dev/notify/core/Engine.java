package dev.notify.core;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.WebRegistry;
import dev.notify.core.memory.InMemoryNotificationStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Builds the engine's parts in the order they depend on each other, wires the cluster signals
 * between them, starts them, and holds them for {@link NotificationService}, which only
 * delegates. It owns nothing at run time itself: {@link Shutdown} stops the parts in reverse.
 * It may call every part's constructor and {@code start}; no part holds a reference to it.
 */
final class Engine {

    final ServiceConfig config;
    final NotificationStore store;
    final JsonbCodec json = new JsonbCodec();
    final LocalSubscriberHub hub;
    final ServiceInbox inbox;
    final EventLog eventLog;
    final PreferenceRules preferenceRules;
    final Templates templates = new Templates();
    final MeterRegistry meterRegistry;
    final PriorityDeliveryQueue<DeliveryJob> queue;
    final DeliveryListeners listeners;
    final Cancellations cancellations = new Cancellations();
    final ChannelRegistry channels;
    final Function<String, ChannelContext> contexts;
    final DeliveryTracker tracker;
    final StreamTailer tailer;
    final Publisher publisher;
    final ClusterLink cluster;
    final NodeHeartbeat heartbeat;
    final Shutdown shutdown;
    final SettingHints settings = new SettingHints();

    Engine(ServiceConfig config, NotificationStore givenStore, MeterRegistry registry, WebRegistry web,
           ClusterSignalProvider clusterSignals, List<ChannelProvider> providers, List<Channel> channels,
           List<DeliveryListener> listenerList) {
        this.config = config;
        Clock clock = config.clock();
        // the engine's clock, so that what the store stamps (cancellations) and what retention compares it with agree;
        // with the system clock a service on a test clock saw its cancelled rows pruned as years old
        this.store = givenStore != null ? givenStore : new InMemoryNotificationStore(clock);
        this.hub = new LocalSubscriberHub(clock, config.maxConnectionsPerUser());
        this.inbox = new ServiceInbox(store, hub, clock);
        this.eventLog = new DueEventLog(store, clock);
        this.meterRegistry = registry != null ? registry : new SimpleMeterRegistry();
        Metrics metrics = new MicrometerMetrics(meterRegistry);
        this.queue = new PriorityDeliveryQueue<>(config.queueCapacity());
        metrics.gauge("notify.queue.depth", queue::size);
        ScheduledExecutorService scheduler = Shutdown.newTimers();
        this.listeners = new DeliveryListeners(listenerList);
        this.channels = new ChannelRegistry(config.config().node("channels"), config.workers(), config.maxInFlight(),
                meterRegistry, metrics);
        this.tracker = new DeliveryTracker(config, store, queue, this.channels, listeners, cancellations, scheduler, metrics);
        this.tailer = new StreamTailer(store, clock, this.channels, listeners, cancellations, scheduler,
                config.streamPollInterval(), config.pollInterval());
        if (!(store instanceof InMemoryNotificationStore)) {
            tailer.keepLocalAppends(); // a durable store's read-back costs a round trip and a row rebuilt per entry
        }
        ClusterSignalProvider engine = clusterSignals != null ? clusterSignals
                : ClusterEngines.named(config.config().get("cluster.signals").orElse(InProcessSignals.NAME));
        this.cluster = new ClusterLink(config.nodeId(), config.config().node("cluster").node(engine.name()), clock, metrics, scheduler);
        this.preferenceRules = new PreferenceRules(store, config.config().getBoolean("preferences.enabled", true), System::nanoTime,
                config.config().getDuration(PreferenceRules.CACHE_TTL, Duration.ofSeconds(1)));
        Publisher pub = new Publisher(config, store, templates, this.channels, queue, tracker, tailer, inbox, cluster, metrics,
                meterRegistry.counter("notify.published"), preferenceRules);
        this.publisher = pub;
        Pruner pruner = new Pruner(store, clock, config.retention(), config.pruneInterval(), config.nodeId());
        this.heartbeat = new NodeHeartbeat(store, clock, config.nodeId(), hub::connectionCount, tracker::held);
        this.shutdown = new Shutdown(pub, tracker, tailer, pruner, this.channels, hub, cluster, heartbeat, scheduler, json, store, givenStore == null);
        OperationalEvents ops = new OperationalEvents(this.channels, metrics, pub::isOpen, n -> pub.publishAll(List.of(n), NotificationService.DEFAULT_SCOPE));
        EngineChannelContext.Shared shared = new EngineChannelContext.Shared(config.config().node("channels"), json, hub, eventLog,
                inbox, store, clock, scheduler, metrics, Optional.ofNullable(web), ops, preferenceRules.forChannels(), settings,
                tracker::bringForward);
        this.contexts = name -> new EngineChannelContext(name, shared);
        try {
            this.channels.registerInternal(new HeldLiveEvents(store, clock, cluster, tailer));
            for (ChannelProvider p : providers) {
                this.channels.register(p, contexts);
            }
            for (Channel c : channels) {
                this.channels.register(c, "manual");
            }
        } catch (RuntimeException e) {
            shutdown.release();
            throw e;
        }
        tracker.start();
        tailer.start();
        pruner.start(scheduler, config.pollInterval());
        try {
            heartbeat.start(scheduler);
            connectCluster(engine, metrics);
        } catch (RuntimeException e) {
            shutdown.release();
            throw e;
        }
    }

    /** Sends what this node changes to the other nodes and wakes this node's parts on what they changed. */
    private void connectCluster(ClusterSignalProvider engine, Metrics metrics) {
        metrics.gauge("notify.stream.tailer.reads", tailer::reads);
        tracker.onDueNow(cluster::deliveryDue);
        inbox.onChanged(cluster::inboxChanged);
        // counts of users whose inbox changed elsewhere: read and pushed off the tailer's and the signal's threads
        java.util.function.Consumer<String> counts = inbox::pushStatsSoon;
        tailer.onOthersPublished(counts);
        settings.sendThrough(cluster::settingChanged);
        settings.listen(PreferenceRules.KIND, preferenceRules::forget);
        preferenceRules.onSaved(user -> settings.changed(PreferenceRules.KIND, user));
        NotificationJson notificationJson = new NotificationJson(json);
        CarriedEntries carried = new CarriedEntries(tailer, hub, notificationJson, config.clock(), metrics);
        hub.onInterest(cluster::interest, a -> {
            cluster.noInterest(a);
            carried.forget(a);
        });
        cluster.start(engine, new ClusterLink.Receivers(tailer::wake, tracker::tick, counts, settings::received, () -> {
            tailer.wake();
            tracker.tick();
            hub.userIds().forEach(counts);
            settings.lostSome();
        }, carried::accept), new ClusterLink.Carrier() {
            @Override
            public long sequenceBefore(dev.notify.api.Audience audience, long sequence) {
                return store.sequenceBefore(audience, sequence);
            }

            @Override
            public String write(dev.notify.api.Notification notification) {
                return notificationJson.write(notification);
            }
        });
        tailer.sharedWithOtherNodes(cluster.connectsNodes());
        tracker.sharedWithOtherNodes(cluster.connectsNodes());
        if (cluster.connectsNodes() && !(store instanceof InMemoryNotificationStore)) {
            // a deferral handed back is a write and a claim, perhaps by another node with no place for it either (three
            // nodes: 1.4-1.8x the webhook throughput held so); a node alone keeps the store path, as holding cost issue
            // 14's healthy endpoint next to 50 hanging ones its tail (p99 59-90 ms against 21-36 ms)
            tracker.holdDeferrals();
        }
    }
}
