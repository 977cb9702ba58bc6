package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.WebRegistry;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.core.memory.InMemoryNotificationStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 */
public final class NotificationService implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NotificationService.class.getName());
    /** Scope of idempotency keys published without a scope of their own. */
    public static final String DEFAULT_SCOPE = "default";
    private static final int CLAIM_BATCH = 256;
    private static final int CANCELLED_MEMORY = 65_536;

    private final ServiceConfig config;
    private final Clock clock;
    private final NotificationStore store;
    private final boolean ownsStore;
    private final JsonbCodec json = new JsonbCodec();
    private final LocalSubscriberHub hub;
    private final ServiceInbox inbox;
    private final Templates templates = new Templates();
    private final MeterRegistry meterRegistry;
    private final Metrics metrics;
    private final Optional<WebRegistry> web;
    private final PriorityDeliveryQueue<Job> queue;
    private final Map<String, Slot> channels = new ConcurrentHashMap<>();
    // the values of `channels`, for publishes to every channel without iterating the map each time
    private volatile List<Slot> allSlots = List.of();
    private final List<DeliveryListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentLongSet inMemory = new ConcurrentLongSet();
    // set once a stream channel is registered; until then the stream tailer has nobody to hand entries to
    private volatile boolean streamChannels;
    private final Map<String, Boolean> cancelled = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CANCELLED_MEMORY;
        }
    });
    // set on the first cancel: until then a delivery needs no look-up in the synchronized map above
    private volatile boolean anyCancelled;
    private final ScheduledExecutorService scheduler;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger workerSeq = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final io.micrometer.core.instrument.Counter published;
    private final SplittableRandom random = new SplittableRandom();
    private final StreamTailer tailer;
    private final PriorityQueue<Held> heldStreams = new PriorityQueue<>((a, b) -> a.dueAt.compareTo(b.dueAt));
    private final ScheduledFuture<?> ticker;
    private final ScheduledFuture<?> watchdog;
    private volatile Instant lastPrune = Instant.EPOCH;
    private volatile boolean closing;
    private volatile boolean closed;

    private NotificationService(Builder b) {
        this.config = b.config;
        this.clock = config.clock();
        this.ownsStore = b.store == null;
        this.store = b.store != null ? b.store : new InMemoryNotificationStore();
        this.hub = new LocalSubscriberHub(clock, config.maxConnectionsPerUser());
        this.inbox = new ServiceInbox(store, hub, clock);
        this.meterRegistry = b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry();
        this.metrics = new MicrometerMetrics(meterRegistry);
        this.web = Optional.ofNullable(b.web);
        this.queue = new PriorityDeliveryQueue<>(config.queueCapacity());
        java.util.concurrent.ScheduledThreadPoolExecutor timers = new java.util.concurrent.ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "notify-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timers.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;
        metrics.gauge("notify.queue.depth", queue::size);
        this.published = meterRegistry.counter("notify.published");
        listeners.addAll(b.listeners);
        try {
            for (ChannelProvider p : b.providers) {
                registerChannel(p);
            }
            for (Channel c : b.channels) {
                registerChannel(c);
            }
        } catch (RuntimeException e) {
            shutdownQuietly();
            throw e;
        }
        for (int i = 0; i < config.workers(); i++) {
            startWorker();
        }
        this.tailer = new StreamTailer(store.latestSequence());
        Thread tt = new Thread(tailer, "notify-stream");
        tt.setDaemon(true);
        tailer.thread = tt;
        tt.start();
        long tick = config.pollInterval().toMillis();
        this.ticker = scheduler.scheduleWithFixedDelay(this::tick, 0, Math.max(1, tick), TimeUnit.MILLISECONDS);
        long watch = Math.max(5, Math.min(1000, config.deliveryTimeout().toMillis() / 4));
        this.watchdog = scheduler.scheduleWithFixedDelay(this::checkTimeouts, watch, watch, TimeUnit.MILLISECONDS);
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
        if (provider == null) {
            throw new IllegalArgumentException("provider must not be null");
        }
        String problem = ChannelDiscovery.validate(provider, Map.of());
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (channels.containsKey(provider.name())) {
            throw new IllegalArgumentException("a channel named '" + provider.name() + "' is registered already");
        }
        Channel c = provider.create(new Context(provider.name()));
        if (c == null || !provider.name().equals(c.name())) {
            if (c != null) {
                c.close();
            }
            throw new IllegalArgumentException("channel plugin '" + provider.name() + "' created "
                    + (c == null ? "no channel" : "a channel named '" + c.name() + "'"));
        }
        register(c, provider.version());
        return c;
    }

    /**
     * Registers a channel created by hand.
     *
     * @throws IllegalArgumentException when a channel of that name is registered already
     */
    public void registerChannel(Channel channel) {
        if (channel == null) {
            throw new IllegalArgumentException("channel must not be null");
        }
        register(channel, "manual");
    }

    private void register(Channel c, String version) {
        if (c.kind() == null) {
            throw new IllegalArgumentException("channel '" + c.name() + "' has no kind");
        }
        int limit = config.config().node("channels").node(c.name()).getInt("max-concurrency",
                Math.max(1, config.workers() - 1));
        Slot slot = new Slot(c, limit, meterRegistry);
        if (channels.putIfAbsent(c.name(), slot) != null) {
            throw new IllegalArgumentException("a channel named '" + c.name() + "' is registered already");
        }
        synchronized (channels) {
            allSlots = List.copyOf(channels.values());
        }
        metrics.gauge("notify.deliveries.queued", slot.queued::get, "channel", c.name());
        if (c.kind() == ChannelKind.STREAM) {
            streamChannels = true;
        }
        LOG.log(System.Logger.Level.INFO, "channel " + c.name() + " (" + c.kind().name().toLowerCase(java.util.Locale.ROOT)
                + ", " + version + ") registered");
    }

    /** The names of the registered channels. */
    public Set<String> channelNames() {
        return new TreeSet<>(channels.keySet());
    }

    /** The registered channel of that name. */
    public Optional<Channel> channel(String name) {
        Slot s = name == null ? null : channels.get(name);
        return s == null ? Optional.empty() : Optional.of(s.channel);
    }

    /**
     * Registers a template that renders the body from the notification's data
     * (Mustache: {@code "Hello {{name}}"}).
     *
     * @throws TemplateException when the text is malformed or the name invalid
     */
    public void registerTemplate(String name, String bodyTemplate) {
        templates.register(name, null, bodyTemplate);
    }

    /** Registers a template that renders both the title and the body. */
    public void registerTemplate(String name, String titleTemplate, String bodyTemplate) {
        if (titleTemplate == null) {
            throw new TemplateException("title template must not be null");
        }
        templates.register(name, titleTemplate, bodyTemplate);
    }

    /** Adds a delivery listener. */
    public void addListener(DeliveryListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
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
        return publishAll(List.of(requireNotification(notification)), scope).get(0);
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
        return notify(notification.topic(topic).build());
    }

    /**
     * Sends the notification to every user in {@code recipients}: one notification per
     * {@value Notification#MAX_RECIPIENTS} recipients, all stored in one transaction. Recipients
     * already set on the builder are replaced.
     *
     * @return the ids of the notifications created
     */
    public List<String> notifyAll(Collection<String> recipients, Notification.Builder notification) {
        if (notification == null) {
            throw new IllegalArgumentException("notification must not be null");
        }
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("recipients must not be null or empty");
        }
        List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(recipients));
        Notification first = notification.recipients(all.subList(0, Math.min(all.size(), Notification.MAX_RECIPIENTS))).build();
        List<Notification> parts = new ArrayList<>();
        parts.add(first);
        for (int i = Notification.MAX_RECIPIENTS; i < all.size(); i += Notification.MAX_RECIPIENTS) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + Notification.MAX_RECIPIENTS));
            Notification.Builder b = first.toBuilder().id(Notification.newId()).recipients(chunk);
            int part = parts.size();
            first.idempotencyKey().ifPresent(k -> b.idempotencyKey(k + "#" + part));
            parts.add(b.build());
        }
        return ids(publishAll(parts, DEFAULT_SCOPE));
    }

    /** Publishes several notifications in one transaction: all are stored, or none. */
    public List<String> batchNotify(List<Notification> notifications) {
        return ids(publishAll(notifications, DEFAULT_SCOPE));
    }

    /**
     * Publishes several notifications in one transaction with idempotency keys scoped to {@code scope}.
     *
     * @return one receipt per notification, in order
     */
    public List<PublishReceipt> publishAll(List<Notification> notifications, String scope) {
        ensureOpen();
        if (notifications == null || notifications.isEmpty()) {
            throw new IllegalArgumentException("notifications must not be null or empty");
        }
        if (scope == null || scope.isBlank()) {
            throw new IllegalArgumentException("scope must not be blank");
        }
        Instant now = clock.instant();
        List<Plan> plans = new ArrayList<>(notifications.size());
        int jobs = 0;
        for (Notification n : notifications) {
            Plan p = plan(requireNotification(n), scope, now);
            plans.add(p);
            jobs += p.jobCount();
        }
        if (!queue.hasRoomFor(jobs)) {
            metrics.count("notify.publish.rejected", notifications.size(), "reason", "queue-full");
            throw new QueueFullException(queue.capacity());
        }
        List<PublishRequest> requests = new ArrayList<>(plans.size());
        for (Plan p : plans) {
            requests.add(p.request);
        }
        List<PublishResult> results = requests.size() == 1 ? List.of(store.save(requests.get(0))) : store.saveAll(requests);
        List<PublishReceipt> receipts = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            PublishResult r = results.get(i);
            receipts.add(new PublishReceipt(r.notification().id(), r.duplicate()));
            if (!r.duplicate()) {
                dispatch(plans.get(i), r, now);
            }
        }
        published.increment(results.size());
        return receipts;
    }

    private static Notification requireNotification(Notification n) {
        if (n == null) {
            throw new IllegalArgumentException("notification must not be null");
        }
        return n;
    }

    private static List<String> ids(List<PublishReceipt> receipts) {
        List<String> out = new ArrayList<>(receipts.size());
        for (PublishReceipt r : receipts) {
            out.add(r.id());
        }
        return out;
    }

    private Plan plan(Notification n, String scope, Instant now) {
        Notification rendered = templates.render(n).withCreatedAt(now);
        if (rendered.isExpiredAt(now)) {
            throw new IllegalArgumentException("notification expired at " + rendered.expiresAt().get() + ", before it was published");
        }
        List<Slot> slots;
        if (rendered.channels().isEmpty()) {
            slots = allSlots;
        } else {
            slots = new ArrayList<>(rendered.channels().size());
            for (String name : rendered.channels()) {
                Slot s = channels.get(name);
                if (s == null) {
                    throw new IllegalArgumentException("unknown channel '" + name + "': registered channels are " + channelNames()
                            + "; add the jar that provides it (e.g. notify-channel-" + name + ") to the classpath or plugins directory");
                }
                slots.add(s);
            }
        }
        Instant due = rendered.scheduledAt().filter(at -> at.isAfter(now)).orElse(now);
        // immutable lists where there is one element (the common case): the request keeps them without a copy
        List<NewDelivery> deliveries = List.of();
        List<Slot> streams = List.of();
        for (Slot s : slots) {
            Set<String> targets = s.channel.targets(rendered);
            if (targets.isEmpty()) {
                continue;
            }
            if (s.channel.kind() == ChannelKind.STREAM) {
                streams = streams.isEmpty() ? new ArrayList<>(2) : streams;
                streams.add(s);
            } else {
                for (String t : targets) {
                    NewDelivery d = new NewDelivery(s.channel.name(), t, due);
                    if (deliveries.isEmpty()) {
                        deliveries = List.of(d);
                    } else {
                        deliveries = deliveries.size() == 1 ? new ArrayList<>(deliveries) : deliveries;
                        deliveries.add(d);
                    }
                }
            }
        }
        List<Audience> audiences;
        if (rendered.recipients().size() == 1 && rendered.topic().isEmpty()) {
            audiences = List.of(Audience.user(rendered.recipients().get(0)));
        } else {
            List<Audience> all = new ArrayList<>(rendered.recipients().size() + 1);
            for (String r : rendered.recipients()) {
                all.add(Audience.user(r));
            }
            rendered.topic().ifPresent(t -> all.add(Audience.topic(t)));
            audiences = all;
        }
        Optional<Lease> lease = due.isAfter(now) ? Optional.empty()
                : Optional.of(new Lease(config.nodeId(), now.plus(config.lease())));
        PublishRequest request = new PublishRequest(rendered, scope, audiences, deliveries, lease);
        return new Plan(request, streams, due);
    }

    private void dispatch(Plan plan, PublishResult result, Instant now) {
        Notification n = result.notification();
        if (!plan.streams.isEmpty() && !result.events().isEmpty()) {
            tailer.wake();
        }
        for (String r : n.recipients()) {
            inbox.pushStats(r);
        }
        if (plan.due.isAfter(now)) {
            return; // stored unleased; the poller claims the deliveries when they are due
        }
        for (DeliveryRecord d : result.deliveries()) {
            Slot s = channels.get(d.channel());
            if (s != null) {
                inMemory.add(d.id());
                enqueue(new Job(n, s, d.target(), d.id(), 1, plan.due));
            }
        }
    }

    /** Queues a delivery that is due now; later ones stay in the store until the poller claims them. */
    private void enqueue(Job job) {
        job.slot.queued.incrementAndGet();
        if (!queue.offerAccepted(job.notification.priority(), job)) {
            job.slot.queued.decrementAndGet();
            handBack(job);
        }
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
        anyCancelled = true;
        cancelled.put(notificationId, Boolean.TRUE);
        int n = store.cancel(notificationId).size();
        synchronized (heldStreams) {
            n += heldStreams.removeIf(h -> h.notification.id().equals(notificationId)) ? 1 : 0;
        }
        return n;
    }

    /** The stored deliveries of a notification (push channels; stream channels keep no rows). */
    public List<DeliveryRecord> deliveries(String notificationId) {
        if (notificationId == null) {
            throw new IllegalArgumentException("notificationId must not be null");
        }
        return store.deliveries(notificationId);
    }

    /** The delivery of a notification through one push channel (the first target's, when there are several). */
    public Optional<DeliveryRecord> delivery(String notificationId, String channel) {
        return deliveries(notificationId).stream().filter(d -> d.channel().equals(channel)).findFirst();
    }

    /** The attempts of a delivery, in order. */
    public List<DeliveryAttempt> attempts(long deliveryId) {
        return store.attempts(deliveryId);
    }

    /** Dead letters, newest first. */
    public Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
        return store.deadLetters(cursor, limit);
    }

    /**
     * Replays a dead letter: it is attempted again at once with a fresh set of attempts.
     *
     * @return the replayed delivery, or empty when no dead letter has that id
     */
    public Optional<DeliveryRecord> replay(long deliveryId) {
        ensureOpen();
        Optional<DeliveryRecord> r = store.replay(deliveryId, clock.instant());
        r.ifPresent(d -> wakeAt(clock.instant()));
        return r;
    }

    /** The stored notification with this id. */
    public Optional<Notification> find(String notificationId) {
        return notificationId == null ? Optional.empty() : store.find(notificationId);
    }

    /** Users' inboxes; changes push new counts to every live connection of the user. */
    public Inbox inbox() {
        return inbox;
    }

    /** The hub of live subscribers. */
    public SubscriberHub hub() {
        return hub;
    }

    /** The event log, as stream channels read it. */
    public EventLog eventLog() {
        return eventLog;
    }

    /** The store. */
    public NotificationStore store() {
        return store;
    }

    /** The JSON codec. */
    public JsonCodec json() {
        return json;
    }

    /** The metrics registry (sent, failed, retrying, queued per channel; delivery latency). */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The configuration. */
    public ServiceConfig config() {
        return config;
    }

    /** How many deliveries wait in the queue. */
    public int queueDepth() {
        return queue.size();
    }

    /** Whether the service still accepts publishes. */
    public boolean isOpen() {
        return !closing;
    }

    // ---- the delivery engine --------------------------------------------------------------------

    private final EventLog eventLog = new EventLog() {
        @Override
        public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
            EventLogSlice s = store.readAfter(afterSequence, userId, topics, limit);
            Instant now = clock.instant();
            boolean early = false;
            for (EventLogEntry e : s.entries()) {
                if (e.notification().scheduledAt().filter(now::isBefore).isPresent()) {
                    early = true;
                    break;
                }
            }
            if (!early) {
                return s;
            }
            List<EventLogEntry> due = new ArrayList<>();
            for (EventLogEntry e : s.entries()) {
                if (e.notification().scheduledAt().filter(now::isBefore).isEmpty()) {
                    due.add(e);
                }
            }
            return new EventLogSlice(due, s.latestSequence(), s.pruned());
        }

        @Override
        public long latestSequence() {
            return store.latestSequence();
        }
    };

    private void startWorker() {
        Worker w = new Worker();
        Thread t = new Thread(w, "notify-worker-" + workerSeq.incrementAndGet());
        t.setDaemon(true);
        w.thread = t;
        workers.add(w);
        t.start();
    }

    private final class Worker implements Runnable {
        volatile Thread thread;
        volatile Job current;
        volatile long startedNanos;
        volatile boolean retired;

        @Override
        public void run() {
            try {
                while (!retired) {
                    Job job;
                    try {
                        job = queue.take();
                    } catch (InterruptedException e) {
                        if (retired || closed) {
                            return;
                        }
                        continue;
                    }
                    if (job == null) {
                        return;
                    }
                    if (!job.slot.acquireOrPark(job)) {
                        continue;
                    }
                    try {
                        job.slot.queued.decrementAndGet();
                        run(job);
                    } finally {
                        // a timed-out attempt's place was freed by the watchdog already
                        if (!job.timedOut()) {
                            Job next = job.slot.releaseAndUnpark();
                            if (next != null && !queue.offerAccepted(next.notification.priority(), next)) {
                                handBack(next);
                            }
                        }
                    }
                }
            } finally {
                workers.remove(this);
            }
        }

        private void run(Job job) {
            Instant now = clock.instant();
            if (job.notification.isExpiredAt(now)) {
                expire(job);
                return;
            }
            if (anyCancelled && cancelled.containsKey(job.notification.id())) {
                inMemory.remove(job.deliveryId);
                return;
            }
            job.startedAt = now;
            startedNanos = System.nanoTime();
            current = job;
            DeliveryResult result;
            try {
                result = job.slot.channel.deliver(new Delivery(job.key(), job.notification, job.slot.channel.name(), job.target,
                        job.attempt, List.of()));
                if (result == null) {
                    result = DeliveryResult.retryLater("channel " + job.slot.channel.name() + " returned no result");
                }
            } catch (Throwable e) {
                if (e instanceof Error && !(e instanceof LinkageError) && !(e instanceof AssertionError)) {
                    throw (Error) e;
                }
                result = DeliveryResult.retryLater("channel " + job.slot.channel.name() + " threw " + e);
            } finally {
                current = null;
            }
            if (job.finish(Job.BY_WORKER)) {
                complete(job, result, Duration.ofNanos(System.nanoTime() - startedNanos));
            }
            if (Thread.interrupted() && !retired) {
                // an interrupt meant for a timed-out attempt must not leak into the next one
                LOG.log(System.Logger.Level.DEBUG, "cleared a stale interrupt");
            }
        }
    }

    private void expire(Job job) {
        if (job.deliveryId != 0) {
            inMemory.remove(job.deliveryId);
            store.cancel(job.notification.id());
        }
        metrics.count("notify.deliveries.expired", 1, "channel", job.slot.channel.name());
    }

    private void complete(Job job, DeliveryResult result, Duration took) {
        String channel = job.slot.channel.name();
        Instant now = clock.instant();
        if (result.outcome() == DeliveryResult.Outcome.DEFERRED) {
            defer(job, now.plus(result.retryAfter().orElse(Duration.ZERO)), result.reason());
            return;
        }
        completed.incrementAndGet();
        DeliveryStatus status;
        Optional<Instant> next = Optional.empty();
        switch (result.outcome()) {
            case SENT:
                status = DeliveryStatus.SENT;
                break;
            case FAILED:
                status = DeliveryStatus.FAILED;
                break;
            default:
                if (config.retryPolicy().allowsRetryAfter(job.attempt)) {
                    Duration delay;
                    synchronized (random) {
                        delay = config.retryPolicy().delayAfter(job.attempt, random);
                    }
                    if (result.retryAfter().isPresent() && result.retryAfter().get().compareTo(delay) > 0) {
                        delay = result.retryAfter().get();
                    }
                    status = DeliveryStatus.RETRYING;
                    next = Optional.of(now.plus(delay));
                } else {
                    status = DeliveryStatus.FAILED;
                }
        }
        DeliveryRecord record;
        try {
            DeliveryAttempt attempt = DeliveryAttempt.of(job.deliveryId, job.attempt, job.startedAt, took, result);
            // forgotten while still leased: once recorded, a tick that claims the retry must not skip it as "already held"
            inMemory.remove(job.deliveryId);
            Optional<DeliveryRecord> r = store.recordAttempt(attempt, status, next);
            if (r.isEmpty()) {
                return;
            }
            record = r.get();
            status = record.status();
            if (status == DeliveryStatus.RETRYING) {
                wakeAt(record.nextAttemptAt().orElse(now));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not record the outcome of delivery " + job.key() + " (" + channel
                    + "); the store will hand it out again after its lease", e);
            return;
        }
        switch (status) {
            case SENT:
                job.slot.sent.increment();
                Instant since = job.notification.scheduledAt().filter(s -> s.isAfter(job.notification.createdAt()))
                        .orElse(job.notification.createdAt());
                job.slot.latency.record(Duration.between(since, now).abs());
                for (DeliveryListener l : listeners) {
                    call(() -> l.onSent(record));
                }
                break;
            case RETRYING:
                job.slot.retrying.increment();
                for (DeliveryListener l : listeners) {
                    call(() -> l.onRetrying(record, result.reason()));
                }
                break;
            case FAILED:
                job.slot.failed.increment();
                LOG.log(System.Logger.Level.WARNING, "delivery " + job.key() + " through " + channel + " to " + job.target
                        + " failed for good after " + job.attempt + " attempt(s): " + result.reason());
                for (DeliveryListener l : listeners) {
                    call(() -> l.onFailed(record, result.reason()));
                }
                break;
            default:
                break;
        }
    }

    /** A delivery the channel did not attempt: back to the store, due again at {@code until}, no attempt counted. */
    private void defer(Job job, Instant until, String reason) {
        metrics.count("notify.deliveries.deferred", 1, "channel", job.slot.channel.name());
        LOG.log(System.Logger.Level.DEBUG, () -> "delivery " + job.key() + " deferred until " + until + ": " + reason);
        if (job.deliveryId != 0) {
            // forgotten before the release: a tick that claims the released row must not skip it as "already held"
            inMemory.remove(job.deliveryId);
            try {
                store.release(job.deliveryId, until);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not defer delivery " + job.key() + "; its lease will lapse", e);
            }
        }
        wakeAt(until);
    }

    private static void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a delivery listener failed", e);
        }
    }

    /** Fails attempts that outlived the delivery timeout and replaces their workers. */
    private void checkTimeouts() {
        long limit = config.deliveryTimeout().toNanos();
        long now = System.nanoTime();
        for (Worker w : workers) {
            Job job = w.current;
            if (job != null && now - w.startedNanos > limit && job.finish(Job.BY_WATCHDOG)) {
                w.retired = true;
                Thread t = w.thread;
                if (t != null) {
                    t.interrupt();
                }
                if (!closing) {
                    startWorker();
                }
                complete(job, DeliveryResult.retryLater("attempt timed out after " + config.deliveryTimeout()),
                        Duration.ofNanos(now - w.startedNanos));
                job.slot.releaseAndUnparkLater(this::reofferParked);
            }
        }
    }

    private void reofferParked(Job next) {
        if (!queue.offerAccepted(next.notification.priority(), next)) {
            handBack(next);
        }
    }

    private void wakeAt(Instant at) {
        if (closing) {
            return;
        }
        long ms = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        if (ms < config.pollInterval().toMillis()) {
            scheduler.schedule(this::tick, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Moves due scheduled work to the queue and claims due deliveries from the store. */
    private void tick() {
        if (closing) {
            return;
        }
        try {
            Instant now = clock.instant();
            List<Held> dueStreams = new ArrayList<>();
            synchronized (heldStreams) {
                while (!heldStreams.isEmpty() && !heldStreams.peek().dueAt.isAfter(now)) {
                    dueStreams.add(heldStreams.poll());
                }
            }
            for (Held h : dueStreams) {
                fanOutStream(h.notification, h.entries);
            }
            claimDue(now);
            if (Duration.between(lastPrune, now).compareTo(config.pruneInterval()) >= 0) {
                lastPrune = now;
                store.prune(now, config.retention());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not claim due deliveries; will try again", e);
        }
    }

    private void claimDue(Instant now) {
        while (!closing) {
            int room = queue.capacity() - queue.size();
            if (room <= 0) {
                return;
            }
            int limit = Math.min(CLAIM_BATCH, room);
            List<DeliveryRecord> claimed = store.claimDue(now, limit, new Lease(config.nodeId(), now.plus(config.lease())));
            for (DeliveryRecord d : claimed) {
                if (!inMemory.add(d.id())) {
                    continue;
                }
                Slot s = channels.get(d.channel());
                Optional<Notification> n = store.find(d.notificationId());
                if (s == null || n.isEmpty()) {
                    inMemory.remove(d.id());
                    if (s == null) {
                        LOG.log(System.Logger.Level.WARNING, "delivery " + d.id() + " is for channel '" + d.channel()
                                + "', which is not registered here; leaving it for a node that has it");
                    }
                    continue;
                }
                enqueue(new Job(n.get(), s, d.target(), d.id(), d.attempts() + 1, now));
            }
            if (claimed.size() < limit) {
                return;
            }
        }
    }

    private void handBack(Job job) {
        if (job.deliveryId != 0) {
            // forgotten before the release: a tick that claims the released row must not skip it as "already held"
            inMemory.remove(job.deliveryId);
            try {
                store.release(job.deliveryId, job.dueAt);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not hand delivery " + job.deliveryId + " back; its lease will lapse", e);
            }
        }
    }

    private void ensureOpen() {
        if (closing) {
            throw new IllegalStateException("the notification service is closed");
        }
    }

    // ---- live streams --------------------------------------------------------------------------------

    /** A notification's entries waiting for its scheduled time before they go to live subscribers. */
    private record Held(Notification notification, List<EventLogEntry> entries, Instant dueAt) {
    }

    /**
     * Tails the event log and hands each notification's entries to the stream channels, one
     * notification after the other in sequence order. Order matters: a client that saw sequence
     * 11 resumes "after 11", so 10 must never reach it later. Tailing the shared log (instead of
     * fanning out from the publishing thread) also brings the entries other nodes appended to
     * this node's subscribers.
     */
    private final class StreamTailer implements Runnable {
        volatile Thread thread;
        private volatile long position;
        private volatile boolean signalled;
        private volatile boolean stopping;
        private volatile boolean warnedPruned;

        StreamTailer(long start) {
            this.position = start;
        }

        void wake() {
            signalled = true;
            Thread t = thread;
            if (t != null) {
                java.util.concurrent.locks.LockSupport.unpark(t);
            }
        }

        @Override
        public void run() {
            long idleNanos = config.streamPollInterval().toNanos();
            while (true) {
                boolean more;
                try {
                    more = pump();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not read the event log for live streams; will try again", e);
                    more = false;
                }
                if (!more) {
                    if (stopping) {
                        return;
                    }
                    if (!signalled) {
                        java.util.concurrent.locks.LockSupport.parkNanos(this, idleNanos);
                    }
                    signalled = false;
                }
            }
        }

        private boolean pump() {
            // latest before the flag: an entry published after a stream channel registers is never skipped
            long latest = store.latestSequence();
            if (!streamChannels) {
                // nobody to hand entries to: skip them rather than read each one (push-only services)
                position = Math.max(position, latest);
                return false;
            }
            EventLogSlice slice = store.readAll(position, 512);
            if (slice.pruned() && !warnedPruned) {
                warnedPruned = true;
                LOG.log(System.Logger.Level.WARNING, "live streams fell behind event-log retention; some events were only stored, not pushed");
            }
            List<EventLogEntry> entries = slice.entries();
            int i = 0;
            while (i < entries.size()) {
                Notification n = entries.get(i).notification();
                int j = i + 1;
                while (j < entries.size() && entries.get(j).notification().id().equals(n.id())) {
                    j++;
                }
                fanOutStream(n, entries.subList(i, j));
                i = j;
            }
            if (!entries.isEmpty()) {
                position = entries.get(entries.size() - 1).sequence();
            }
            return entries.size() == 512;
        }

        void stopAndDrain(long deadlineNanos) {
            stopping = true;
            wake();
            Thread t = thread;
            if (t != null) {
                try {
                    t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // not interrupted if still busy: it may be reading the store (see shutdownQuietly)
            }
        }
    }

    private void fanOutStream(Notification n, List<EventLogEntry> entries) {
        Instant now = clock.instant();
        if (n.isExpiredAt(now)) {
            return;
        }
        Optional<Instant> later = n.scheduledAt().filter(now::isBefore);
        if (later.isPresent()) {
            synchronized (heldStreams) {
                heldStreams.add(new Held(n, List.copyOf(entries), later.get()));
            }
            wakeAt(later.get());
            return;
        }
        if (anyCancelled && cancelled.containsKey(n.id())) {
            return;
        }
        for (Slot s : channels.values()) {
            if (s.channel.kind() != ChannelKind.STREAM || (!n.channels().isEmpty() && !n.channels().contains(s.channel.name()))) {
                continue;
            }
            if (s.channel.targets(n).isEmpty()) {
                continue;
            }
            deliverStream(s, n, entries, now);
        }
    }

    private void deliverStream(Slot slot, Notification n, List<EventLogEntry> entries, Instant now) {
        String name = slot.channel.name();
        DeliveryResult result;
        try {
            result = slot.channel.deliver(new Delivery(n.id() + ":" + name, n, name, Delivery.STREAM_TARGET, 1, entries));
            if (result == null) {
                result = DeliveryResult.failed("channel " + name + " returned no result");
            }
        } catch (RuntimeException | LinkageError | AssertionError e) {
            result = DeliveryResult.failed("channel " + name + " threw " + e);
        }
        completed.incrementAndGet();
        boolean sent = result.isSent();
        DeliveryRecord record = new DeliveryRecord(0, n.id(), name, Delivery.STREAM_TARGET, n.priority(),
                sent ? DeliveryStatus.SENT : DeliveryStatus.FAILED, 1, Optional.empty(),
                sent ? Optional.empty() : Optional.of(result.reason()), n.createdAt(), clock.instant());
        if (sent) {
            slot.sent.increment();
            Instant since = n.scheduledAt().filter(x -> x.isAfter(n.createdAt())).orElse(n.createdAt());
            slot.latency.record(Duration.between(since, now).abs());
            for (DeliveryListener l : listeners) {
                call(() -> l.onSent(record));
            }
        } else {
            // live subscribers that missed it read it from the event log when they resume
            slot.failed.increment();
            LOG.log(System.Logger.Level.WARNING, "live push of " + n.id() + " through " + name + " failed: " + result.reason());
            DeliveryResult r = result;
            for (DeliveryListener l : listeners) {
                call(() -> l.onFailed(record, r.reason()));
            }
        }
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
        long start = System.nanoTime();
        synchronized (this) {
            if (closing) {
                return new ShutdownReport(0, List.of(), Duration.ZERO);
            }
            closing = true;
        }
        long before = completed.get();
        ticker.cancel(false);
        long deadline = start + timeout.toNanos();
        // Push deliveries scheduled for later stay in the store; held live pushes are reported.
        List<String> unfinished = new ArrayList<>();
        tailer.stopAndDrain(deadline);
        synchronized (heldStreams) {
            for (Held h : heldStreams) {
                unfinished.add("live stream push of notification " + h.notification.id() + " (scheduled for " + h.dueAt
                        + "; clients read it from the event log)");
            }
            heldStreams.clear();
        }
        while (System.nanoTime() < deadline && (queue.size() > 0 || anyBusy())) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        queue.close();
        closed = true;
        for (Worker w : workers) {
            Job j = w.current;
            if (j != null) {
                unfinished.add(describe(j) + " (in flight)");
            }
            // No interrupt: a worker may be inside the store, and an interrupt during I/O can close
            // a database file (H2) or a connection. Idle workers leave when the closed queue wakes
            // them; one stuck in a channel is a daemon thread and is reported above.
            w.retired = true;
        }
        for (Job j : queue.drain()) {
            unfinished.add(describe(j) + " (queued)");
            handBack(j);
        }
        for (Slot s : channels.values()) {
            for (Job j : s.drainParked()) {
                unfinished.add(describe(j) + " (queued)");
                handBack(j);
            }
        }
        hub.signalAll(new HubSignal.ShuttingDown("server shutting down"));
        shutdownQuietly();
        ShutdownReport report = new ShutdownReport(completed.get() - before, unfinished, Duration.ofNanos(System.nanoTime() - start));
        if (!report.clean()) {
            LOG.log(System.Logger.Level.WARNING, "shut down with " + unfinished.size() + " unfinished deliveries; stored ones are delivered after restart");
        }
        return report;
    }

    private boolean anyBusy() {
        for (Worker w : workers) {
            if (w.current != null) {
                return true;
            }
        }
        for (Slot s : channels.values()) {
            if (s.hasParked()) {
                return true;
            }
        }
        return false;
    }

    private void shutdownQuietly() {
        closing = true;
        closed = true;
        queue.close();
        watchdogCancel();
        for (Slot s : channels.values()) {
            try {
                s.channel.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "channel " + s.channel.name() + " failed to close", e);
            }
        }
        // shutdown(), not shutdownNow(): a tick may be claiming from the store, and interrupting
        // store I/O can break the database; pending timers are dropped by the policies below
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a timer task is still running after 5 s; leaving it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        json.close();
        if (ownsStore) {
            store.close();
        }
    }

    private void watchdogCancel() {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    private static String describe(Job j) {
        return "notification " + j.notification.id() + " via " + j.slot.channel.name() + " to " + j.target;
    }

    // ---- internals ----------------------------------------------------------------------------------

    private record Plan(PublishRequest request, List<Slot> streams, Instant due) {
        int jobCount() {
            return request.deliveries().size();
        }
    }

    /**
     * One unit of work: one attempt of one delivery. Kept small: under a burst, hundreds of
     * thousands wait in the queue, and each one that outlives a young collection is copied.
     */
    private static final class Job {
        private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Job> FINISHED =
                java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Job.class, "finished");
        final Notification notification;
        final Slot slot;
        final String target;
        final long deliveryId;
        final int attempt;
        final Instant dueAt;
        volatile Instant startedAt;
        private volatile int finished;

        Job(Notification notification, Slot slot, String target, long deliveryId, int attempt, Instant dueAt) {
            this.notification = notification;
            this.slot = slot;
            this.target = target;
            this.deliveryId = deliveryId;
            this.attempt = attempt;
            this.dueAt = dueAt;
        }

        /** The delivery's idempotency key for the channel: its stored id. */
        String key() {
            return Long.toString(deliveryId);
        }

        static final int BY_WORKER = 1;
        static final int BY_WATCHDOG = 2;

        /** Claims the right to report this attempt's outcome: the worker or the timeout watchdog, once. */
        boolean finish(int by) {
            return FINISHED.compareAndSet(this, 0, by);
        }

        boolean timedOut() {
            return finished == BY_WATCHDOG;
        }

    }

    /** A registered channel with its concurrency limit, so one slow channel cannot hold every worker. */
    private static final class Slot {
        final Channel channel;
        final int limit;
        final AtomicInteger queued = new AtomicInteger();
        // meters looked up once: a registry lookup per delivery shows in profiles
        final io.micrometer.core.instrument.Counter sent;
        final io.micrometer.core.instrument.Counter failed;
        final io.micrometer.core.instrument.Counter retrying;
        final io.micrometer.core.instrument.Timer latency;
        private int inFlight;
        private final java.util.ArrayDeque<Job> parked = new java.util.ArrayDeque<>();

        Slot(Channel channel, int limit, MeterRegistry registry) {
            this.channel = channel;
            this.limit = Math.max(1, limit);
            this.sent = registry.counter("notify.deliveries.sent", "channel", channel.name());
            this.failed = registry.counter("notify.deliveries.failed", "channel", channel.name());
            this.retrying = registry.counter("notify.deliveries.retrying", "channel", channel.name());
            this.latency = io.micrometer.core.instrument.Timer.builder("notify.delivery.latency").tag("channel", channel.name())
                    .description("from accepted (or due) to sent")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        }

        /**
         * Takes a place for the job, or parks it until a place frees up. One atomic step: were the
         * check and the parking separate, the last job in flight could finish in between and leave
         * the parked job with nobody to wake it.
         */
        synchronized boolean acquireOrPark(Job job) {
            if (inFlight >= limit) {
                parked.addLast(job);
                return false;
            }
            inFlight++;
            return true;
        }

        /** Frees a place; returns a parked job to run next, if any. */
        synchronized Job releaseAndUnpark() {
            if (inFlight > 0) {
                inFlight--;
            }
            return parked.pollFirst();
        }

        /** Frees the place of a timed-out attempt whose worker may never return. */
        void releaseAndUnparkLater(java.util.function.Consumer<Job> requeue) {
            Job next = releaseAndUnpark();
            if (next != null) {
                requeue.accept(next);
            }
        }

        synchronized boolean hasParked() {
            return !parked.isEmpty();
        }

        synchronized List<Job> drainParked() {
            List<Job> out = new ArrayList<>(parked);
            parked.clear();
            return out;
        }
    }

    private final class Context implements ChannelContext {
        private final String name;
        private final Config channelConfig;

        Context(String name) {
            this.name = name;
            this.channelConfig = config.config().node("channels").node(name);
        }

        @Override
        public String channelName() {
            return name;
        }

        @Override
        public Config config() {
            return channelConfig;
        }

        @Override
        public JsonCodec json() {
            return json;
        }

        @Override
        public SubscriberHub hub() {
            return hub;
        }

        @Override
        public EventLog eventLog() {
            return eventLog;
        }

        @Override
        public Inbox inbox() {
            return inbox;
        }

        @Override
        public WebhookEndpointStore webhookEndpoints() {
            return store.webhookEndpoints();
        }

        @Override
        public Optional<dev.notify.api.spi.DeliveryLog> deliveryLog() {
            return Optional.of(store);
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

        @Override
        public Optional<WebRegistry> web() {
            return web;
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("dev.notify.channel." + name);
        }

        @Override
        public void emitOperationalEvent(String event, String message, Map<String, Object> details) {
            publishOperationalEvent(name, event, message, details);
        }
    }

    /** See {@link ChannelContext#emitOperationalEvent}: log, count, and publish on the ops topic through the stream channels. */
    private void publishOperationalEvent(String source, String event, String message, Map<String, Object> details) {
        try {
            LOG.log(System.Logger.Level.WARNING, "operational event " + event + " from channel " + source + ": " + message);
            metrics.count("notify.ops.events", 1, "event", String.valueOf(event));
            List<String> streams = new ArrayList<>();
            for (Slot s : channels.values()) {
                if (s.channel.kind() == ChannelKind.STREAM) {
                    streams.add(s.channel.name());
                }
            }
            if (streams.isEmpty() || closing) {
                return;
            }
            Map<String, Object> data = new LinkedHashMap<>(details == null ? Map.of() : details);
            data.put("source", source);
            Notification.Builder n = Notification.builder().topic(ChannelContext.OPS_TOPIC).event(event)
                    .type(dev.notify.api.NotificationType.WARNING).priority(dev.notify.api.Priority.HIGH).title(message).data(data);
            streams.forEach(n::channel);
            notify(n.build());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not publish operational event " + event + " from channel " + source, e);
        }
    }

    /** Builds a {@link NotificationService}. */
    public static final class Builder {
        private ServiceConfig config = ServiceConfig.defaults();
        private NotificationStore store;
        private MeterRegistry meterRegistry;
        private WebRegistry web;
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

        /** Registers every channel provider found by {@link ServiceLoader} (module path and classpath). */
        public Builder discoverChannels() {
            ChannelDiscovery.Result r = ChannelDiscovery.discover();
            r.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
            providers.addAll(r.providers().values());
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
            ChannelDiscovery.Result r = ChannelDiscovery.discover();
            r.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
            for (String name : names) {
                ChannelProvider p = r.providers().get(name);
                if (p == null) {
                    throw new IllegalArgumentException("channel '" + name + "' was not found: add notify-channel-" + name
                            + " (or the plugin jar that provides it) to the classpath; found " + new TreeSet<>(r.providers().keySet()));
                }
                providers.add(p);
            }
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
