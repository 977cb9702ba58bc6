package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ClusterSignal;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import io.micrometer.core.instrument.Counter;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The publish path: validates, renders the template, plans the deliveries (one row per push
 * channel and target; none for stream channels) and audiences, stores it all in one transaction,
 * then dispatches: due push deliveries to the {@link DeliveryTracker}, a wake-up to the
 * {@link StreamTailer}, new counts to the recipients' live connections. Nothing is stored on bad
 * input or a full queue. Calls the templates, the registry, the store, the queue (for room only),
 * the tracker, the tailer and the inbox; nothing calls back.
 */
final class Publisher {

    private final ServiceConfig config;
    private final Clock clock;
    private final NotificationStore store;
    private final Templates templates;
    private final ChannelRegistry registry;
    private final PriorityDeliveryQueue<DeliveryJob> queue;
    private final DeliveryTracker tracker;
    private final StreamTailer tailer;
    private final ServiceInbox inbox;
    private final ClusterLink cluster;
    private final Metrics metrics;
    private final Counter published;
    private final boolean collapseMarksUnread;
    private final PreferenceRules preferences;
    private volatile boolean closed;

    Publisher(ServiceConfig config, NotificationStore store, Templates templates, ChannelRegistry registry,
              PriorityDeliveryQueue<DeliveryJob> queue, DeliveryTracker tracker, StreamTailer tailer, ServiceInbox inbox,
              ClusterLink cluster, Metrics metrics, Counter published, PreferenceRules preferences) {
        this.config = config;
        this.clock = config.clock();
        this.store = store;
        this.templates = templates;
        this.registry = registry;
        this.queue = queue;
        this.tracker = tracker;
        this.tailer = tailer;
        this.inbox = inbox;
        this.cluster = cluster;
        this.metrics = metrics;
        this.published = published;
        this.collapseMarksUnread = config.config().getBoolean(COLLAPSE_MARKS_UNREAD, true);
        this.preferences = preferences;
    }

    /**
     * The configuration key saying whether an inbox item that a newer notification of its collapse
     * key replaces becomes unread again (default true).
     */
    static final String COLLAPSE_MARKS_UNREAD = "inbox.collapse-marks-unread";

    private record Plan(PublishRequest request, List<ChannelSlot> streams, Instant due) {
        int jobCount() {
            return request.deliveries().size();
        }
    }

    /** Refuses publishes from now on. */
    void close() {
        closed = true;
    }

    boolean isOpen() {
        return !closed;
    }

    /** Throws {@link IllegalStateException} once closed. */
    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the notification service is closed");
        }
    }

    /** Stores the notifications in one transaction and dispatches them; one receipt each, in order. */
    List<PublishReceipt> publishAll(List<Notification> notifications, String scope) {
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
        boolean tailed = registry.hasStreamChannels();
        if (tailed) {
            for (PublishRequest r : requests) {
                tailer.publishingHere(r.notification().id());
            }
        }
        List<PublishResult> results;
        try {
            results = requests.size() == 1 ? List.of(store.save(requests.get(0))) : store.saveAll(requests);
        } catch (RuntimeException | Error e) {
            if (tailed) {
                for (PublishRequest r : requests) {
                    tailer.notPublished(r.notification().id());
                }
            }
            throw e;
        }
        if (tailed) {
            tailer.appendedHere(results);
        }
        List<PublishReceipt> receipts = new ArrayList<>(results.size());
        long lastSequence = -1;
        // only a node with peers tells anyone which audiences changed; one node saves the set
        Set<Audience> audiences = cluster.connectsNodes() ? new LinkedHashSet<>() : null;
        // users' due entries go to the other nodes whole when the engine carries them (CarriedEntries)
        List<EventLogEntry> carried = cluster.carriesEntries() ? new ArrayList<>() : null;
        for (int i = 0; i < results.size(); i++) {
            PublishResult r = results.get(i);
            receipts.add(new PublishReceipt(r.notification().id(), r.duplicate()));
            if (tailed && r.events().isEmpty()) {
                tailer.notPublished(requests.get(i).notification().id());
            }
            boolean due = carried != null && r.notification().scheduledAt().filter(now::isBefore).isEmpty();
            for (EventLogEntry e : r.events()) {
                if (due && e.audience() instanceof Audience.User) {
                    carried.add(e);
                    continue;
                }
                lastSequence = Math.max(lastSequence, e.sequence());
                if (audiences != null) {
                    audiences.add(e.audience());
                }
            }
            if (!r.duplicate()) {
                dispatch(plans.get(i), r, now);
            }
        }
        if (lastSequence >= 0 && audiences != null) {
            cluster.logAppended(lastSequence, audiences.size() > ClusterSignal.MAX_AUDIENCES ? List.of() : new ArrayList<>(audiences));
        }
        if (carried != null && !carried.isEmpty()) {
            cluster.entriesAppended(carried);
        }
        published.increment(results.size());
        return receipts;
    }

    /** The ids of the receipts, in order. */
    static List<String> ids(List<PublishReceipt> receipts) {
        List<String> out = new ArrayList<>(receipts.size());
        for (PublishReceipt r : receipts) {
            out.add(r.id());
        }
        return out;
    }

    /** The notification, or {@link IllegalArgumentException} when it is null. */
    static Notification requireNotification(Notification n) {
        if (n == null) {
            throw new IllegalArgumentException("notification must not be null");
        }
        return n;
    }

    /**
     * The notification once per {@value Notification#MAX_RECIPIENTS} of the recipients (duplicates
     * dropped), later parts with fresh ids and the idempotency key suffixed {@code #part}.
     */
    static List<Notification> splitByRecipients(Collection<String> recipients, Notification.Builder notification) {
        if (notification == null) {
            throw new IllegalArgumentException("notification must not be null");
        }
        if (recipients == null || recipients.isEmpty()) {
            throw new IllegalArgumentException("recipients must not be null or empty");
        }
        List<String> all = new ArrayList<>(new LinkedHashSet<>(recipients));
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
        return parts;
    }

    private Plan plan(Notification n, String scope, Instant now) {
        Notification rendered = templates.render(n).withCreatedAt(now);
        if (rendered.isExpiredAt(now)) {
            throw new IllegalArgumentException("notification expired at " + rendered.expiresAt().get() + ", before it was published");
        }
        List<ChannelSlot> slots;
        if (rendered.channels().isEmpty()) {
            slots = registry.allSlots();
        } else {
            slots = new ArrayList<>(rendered.channels().size());
            for (String name : rendered.channels()) {
                ChannelSlot s = registry.slot(name);
                if (s == null) {
                    throw new IllegalArgumentException("unknown channel '" + name + "': registered channels are " + registry.names()
                            + "; add the jar that provides it (e.g. notify-channel-" + name + ") to the classpath or plugins directory");
                }
                slots.add(s);
            }
        }
        Instant scheduled = rendered.scheduledAt().orElse(null); // no capturing lambda: this runs once per publish
        Instant due = scheduled != null && scheduled.isAfter(now) ? scheduled : now;
        // the recipients' preferences, applied once here (empty for most publishes: no lookup cost beyond the cache)
        Map<String, Preferences> prefs = preferences.of(rendered);
        // immutable lists where there is one element (the common case): the request keeps them without a copy
        List<NewDelivery> deliveries = List.of();
        List<ChannelSlot> streams = List.of();
        for (ChannelSlot s : slots) {
            Set<String> targets = s.channel.targets(rendered);
            if (targets.isEmpty()) {
                continue;
            }
            if (s.channel.kind() == ChannelKind.STREAM) {
                streams = streams.isEmpty() ? new ArrayList<>(2) : streams;
                streams.add(s);
            } else {
                for (String t : targets) {
                    NewDelivery d = prefs.isEmpty() ? new NewDelivery(s.channel.name(), t, due) : pushDelivery(s, t, rendered, prefs, due, now);
                    if (deliveries.isEmpty()) {
                        deliveries = List.of(d);
                    } else {
                        deliveries = deliveries.size() == 1 ? new ArrayList<>(deliveries) : deliveries;
                        deliveries.add(d);
                    }
                }
            }
        }
        // the audience rule (Notification#broadcast): recipients only, unless topic-only or a broadcast
        List<Audience> audiences;
        if (rendered.recipients().size() == 1 && !rendered.reachesTopicSubscribers()) {
            audiences = List.of(Audience.user(rendered.recipients().get(0)));
        } else {
            List<Audience> all = new ArrayList<>(rendered.recipients().size() + 1);
            for (String r : rendered.recipients()) {
                all.add(Audience.user(r));
            }
            if (rendered.reachesTopicSubscribers()) {
                all.add(Audience.topic(rendered.topic().get()));
            }
            audiences = all;
        }
        Set<String> notInInbox = Set.of();
        if (!prefs.isEmpty()) {
            notInInbox = new HashSet<>();
            List<NewDelivery> suppressed = new ArrayList<>();
            for (Map.Entry<String, Preferences> e : prefs.entrySet()) {
                String user = e.getKey();
                if (!e.getValue().verdict(rendered, Preferences.INBOX, now).delivers()) {
                    notInInbox.add(user);
                }
                // at the time it is due: a notification scheduled into the quiet hours waits for their end too
                Preferences.Verdict live = e.getValue().verdict(rendered, Preferences.LIVE, due);
                if (!live.delivers() && !streams.isEmpty()) {
                    // no live event for this user now: none at all (recorded per stream channel), or, held by
                    // quiet hours, a new event-log entry when they end (HeldLiveEvents)
                    audiences = new ArrayList<>(audiences);
                    audiences.remove(Audience.user(user));
                    if (live.action() == Preferences.Action.HOLD) {
                        suppressed.add(NewDelivery.held(HeldLiveEvents.NAME, user, live.until().filter(due::isBefore).orElse(due),
                                live.reason()));
                    } else {
                        for (ChannelSlot s : streams) {
                            suppressed.add(NewDelivery.suppressed(s.channel.name(), user, now, live.reason()));
                        }
                    }
                }
            }
            if (!suppressed.isEmpty()) {
                suppressed.addAll(0, deliveries);
                deliveries = suppressed;
            }
        }
        Optional<Lease> lease = due.isAfter(now) ? Optional.empty()
                : Optional.of(tracker.lease(now));
        PublishRequest request = new PublishRequest(rendered, scope, audiences, deliveries, lease, collapseMarksUnread, notInInbox);
        return new Plan(request, streams, due);
    }

    /**
     * The delivery of a push channel to one target under the recipients' preferences: suppressed
     * (recorded cancelled, with the reason), held until quiet hours end (recorded pending until then, with
     * the reason), or as usual. A target that is not a
     * recipient (a webhook endpoint) has no preferences. The system channel is the {@value Preferences#OS}
     * kind; any other channel delivering to a user is its own kind, by name.
     */
    private static NewDelivery pushDelivery(ChannelSlot s, String target, Notification n, Map<String, Preferences> prefs,
                                            Instant due, Instant now) {
        String name = s.channel.name();
        Preferences p = prefs.get(target);
        if (p == null) {
            return new NewDelivery(name, target, due);
        }
        Preferences.Verdict v = p.verdict(n, name.equals("system") ? Preferences.OS : name, due);
        return switch (v.action()) {
            case DELIVER -> new NewDelivery(name, target, due);
            case SUPPRESS -> NewDelivery.suppressed(name, target, now, v.reason());
            case HOLD -> v.until().filter(due::isBefore).map(end -> NewDelivery.held(name, target, end, v.reason()))
                    .orElseGet(() -> new NewDelivery(name, target, due));
        };
    }

    private void dispatch(Plan plan, PublishResult result, Instant now) {
        Notification n = result.notification();
        if (!plan.streams.isEmpty() && !result.events().isEmpty()) {
            tailer.wake();
        }
        for (String r : n.recipients()) {
            inbox.pushStatsSoon(r);
        }
        if (plan.due.isAfter(now)) {
            return; // stored unleased; the tracker claims the deliveries when they are due
        }
        for (DeliveryRecord d : result.deliveries()) {
            if (d.status() != DeliveryStatus.PENDING || d.nextAttemptAt().filter(now::isBefore).isPresent()) {
                continue; // suppressed by a preference, or held by quiet hours: the tracker claims it when due
            }
            ChannelSlot s = registry.slot(d.channel());
            if (s != null) {
                tracker.accept(n, s, d.target(), d.id(), plan.due, plan.request.lease().orElseThrow().until());
            }
        }
    }
}
