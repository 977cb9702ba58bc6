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

    Engine(ServiceConfig config, NotificationStore givenStore, MeterRegistry registry, WebRegistry web,
           ClusterSignalProvider clusterSignals, List<ChannelProvider> providers, List<Channel> channels,
           List<DeliveryListener> listenerList) {
        this.config = config;
        Clock clock = config.clock();
        this.store = givenStore != null ? givenStore : new InMemoryNotificationStore();
        this.hub = new LocalSubscriberHub(clock, config.maxConnectionsPerUser());
        this.inbox = new ServiceInbox(store, hub, clock);
        this.eventLog = new DueEventLog(store, clock);
        this.meterRegistry = registry != null ? registry : new SimpleMeterRegistry();
        Metrics metrics = new MicrometerMetrics(meterRegistry);
        this.queue = new PriorityDeliveryQueue<>(config.queueCapacity());
        metrics.gauge("notify.queue.depth", queue::size);
        ScheduledExecutorService scheduler = Shutdown.newTimers();
        this.listeners = new DeliveryListeners(listenerList);
        this.channels = new ChannelRegistry(config.config().node("channels"), config.workers(), meterRegistry, metrics);
        this.tracker = new DeliveryTracker(config, store, queue, this.channels, listeners, cancellations, scheduler, metrics);
        this.tailer = new StreamTailer(store, clock, this.channels, listeners, cancellations, scheduler,
                config.streamPollInterval(), config.pollInterval());
        ClusterSignalProvider engine = clusterSignals != null ? clusterSignals
                : ClusterEngines.named(config.config().get("cluster.signals").orElse(InProcessSignals.NAME));
        this.cluster = new ClusterLink(config.nodeId(), config.config().node("cluster").node(engine.name()), clock, metrics, scheduler);
        this.preferenceRules = new PreferenceRules(store, config.config().getBoolean("preferences.enabled", true), System::nanoTime);
        Publisher pub = new Publisher(config, store, templates, this.channels, queue, tracker, tailer, inbox, cluster, metrics,
                meterRegistry.counter("notify.published"), preferenceRules);
        this.publisher = pub;
        Pruner pruner = new Pruner(store, clock, config.retention(), config.pruneInterval(), config.nodeId());
        this.heartbeat = new NodeHeartbeat(store, clock, config.nodeId(), () -> hub.connections().size(), tracker::held);
        this.shutdown = new Shutdown(pub, tracker, tailer, pruner, this.channels, hub, cluster, heartbeat, scheduler, json, store, givenStore == null);
        OperationalEvents ops = new OperationalEvents(this.channels, metrics, pub::isOpen, n -> pub.publishAll(List.of(n), NotificationService.DEFAULT_SCOPE));
        EngineChannelContext.Shared shared = new EngineChannelContext.Shared(config.config().node("channels"), json, hub, eventLog,
                inbox, store, clock, scheduler, metrics, Optional.ofNullable(web), ops, preferenceRules.forChannels());
        this.contexts = name -> new EngineChannelContext(name, shared);
        try {
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
            connectCluster(engine);
        } catch (RuntimeException e) {
            shutdown.release();
            throw e;
        }
    }

    /** Sends what this node changes to the other nodes and wakes this node's parts on what they changed. */
    private void connectCluster(ClusterSignalProvider engine) {
        tracker.onDueNow(cluster::deliveryDue);
        inbox.onChanged(cluster::inboxChanged);
        tailer.onOthersPublished(inbox::pushStats);
        hub.onInterest(cluster::interest, cluster::noInterest);
        cluster.start(engine, new ClusterLink.Receivers(tailer::wake, tracker::tick, inbox::pushStats, () -> {
            tailer.wake();
            tracker.tick();
            hub.userIds().forEach(inbox::pushStats);
        }));
        tailer.sharedWithOtherNodes(cluster.connectsNodes());
    }
}
