package dev.notify.core.memory;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.Priority;
import dev.notify.api.TopicPatterns;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import dev.notify.api.spi.WebhookEndpointStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link NotificationStore} that keeps everything in memory: for library users who need no
 * durability, for tests, and for benchmarks of the engine without a database.
 *
 * <p>Thread-safe without a global lock on the delivery path: deliveries live in a concurrent map
 * and each one is guarded by its own monitor; due deliveries sit in a concurrent skip list ordered
 * by (priority descending, due time ascending, id ascending), so a claim costs O(log n) per
 * delivery. Only the event-log append takes a short global lock, because sequences must become
 * visible in order (a reader that saw sequence 7 must never later find a 6 it skipped).
 *
 * <p>Behaviour where the SPI leaves room:
 * <ul>
 *   <li>A request whose notification id is already stored is rejected with
 *       {@link IllegalArgumentException}; in a batch, nothing of the batch is stored.</li>
 *   <li>With a lease, "due now" means due at or before the notification's {@code createdAt}.</li>
 *   <li>An event-log entry's age and an idempotency key's age are those of the notification's
 *       {@code createdAt}; age pruning removes old entries from the start of the log.</li>
 *   <li>A late attempt on a delivery that is already cancelled or sent is logged but does not
 *       change its status.</li>
 *   <li>Dead letters and a target's deliveries are ordered newest first by delivery id, which
 *       increases with creation.</li>
 *   <li>{@link EventLogSlice#pruned()} is conservative: it is set when any entry after the
 *       reader's sequence was pruned, whichever audience it was for.</li>
 * </ul>
 *
 * <p>Memory: {@link #prune} bounds what is kept by the {@link Retention}: event-log entries,
 * idempotency keys, sent and cancelled deliveries with their attempts, and old notifications with
 * their inbox items and deliveries. It walks every notification and delivery, so its cost grows
 * with what is kept, not with what is removed.
 *
 * <pre>{@code
 * NotificationStore store = new InMemoryNotificationStore(Clock.systemUTC());
 * }</pre>
 */
public final class InMemoryNotificationStore implements NotificationStore {

    private static final Priority[] BY_URGENCY = {Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW};

    private final Clock clock;

    // ---- notifications and idempotency
    private final ConcurrentHashMap<String, Notification> notifications = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<IdempotencyKey, Notification> idempotencyKeys = new ConcurrentHashMap<>();

    // ---- event log
    private final ReentrantLock logLock = new ReentrantLock();
    // the whole log in sequence order, for pruning and for readAll; appended under logLock
    private final SequenceIndex log = new SequenceIndex();
    private final ConcurrentHashMap<String, SequenceIndex> logByUser = new ConcurrentHashMap<>();
    // sorted by topic so that a prefix pattern is a range scan, not a walk over every topic
    private final ConcurrentSkipListMap<String, SequenceIndex> logByTopic = new ConcurrentSkipListMap<>();
    private long nextSequence = 1; // guarded by logLock
    // readers only trust sequences up to this one, so a half-finished append is never seen
    private volatile long publishedSequence;
    private volatile long prunedThrough;

    // ---- deliveries
    private final AtomicLong deliveryIds = new AtomicLong();
    private final ConcurrentHashMap<Long, DeliveryState> deliveries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, long[]> deliveriesByNotification = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ChannelTarget, TargetIds> deliveriesByTarget = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<DueKey> due = new ConcurrentSkipListSet<>();
    /**
     * Leased deliveries bucketed by the second their lease ends in: a lease is taken and released
     * for every delivery, so these are hash-set operations rather than sorted-set inserts; only
     * the few buckets (one per second of lease length) are sorted.
     */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Set<LeaseKey>> leased = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final ConcurrentSkipListSet<Long> deadLetters = new ConcurrentSkipListSet<>(Comparator.reverseOrder());
    private final EnumMap<DeliveryStatus, LongAdder> statusCounts = new EnumMap<>(DeliveryStatus.class);

    // ---- inboxes and webhooks
    private final ConcurrentHashMap<String, UserInbox> inboxes = new ConcurrentHashMap<>();
    private final Webhooks webhooks = new Webhooks();

    /** A store that stamps the few times the SPI does not pass in with the system UTC clock. */
    public InMemoryNotificationStore() {
        this(Clock.systemUTC());
    }

    /**
     * A store that stamps the few times the SPI does not pass in (when a delivery was cancelled)
     * with {@code clock}.
     */
    public InMemoryNotificationStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        for (DeliveryStatus s : DeliveryStatus.values()) {
            statusCounts.put(s, new LongAdder());
        }
    }

    // =========================================================================================
    // publishing
    // =========================================================================================

    @Override
    public PublishResult save(PublishRequest request) {
        Objects.requireNonNull(request, "request");
        return saveAll(List.of(request)).get(0);
    }

    @Override
    public List<PublishResult> saveAll(List<PublishRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        int n = requests.size();
        if (n == 0) {
            return List.of();
        }
        // Phase 1 reserves ids and keys; it is the only phase that can fail, and undoes itself.
        Notification[] duplicateOf = new Notification[n];
        List<String> reservedIds = new ArrayList<>(n);
        List<Map.Entry<IdempotencyKey, Notification>> reservedKeys = new ArrayList<>(1);
        try {
            for (int i = 0; i < n; i++) {
                PublishRequest r = Objects.requireNonNull(requests.get(i), "request");
                Notification notification = r.notification();
                Optional<String> key = notification.idempotencyKey();
                if (key.isPresent()) {
                    IdempotencyKey k = new IdempotencyKey(r.idempotencyScope(), key.get());
                    Notification first = idempotencyKeys.putIfAbsent(k, notification);
                    if (first != null) {
                        duplicateOf[i] = first;
                        continue;
                    }
                    reservedKeys.add(Map.entry(k, notification));
                }
                if (notifications.putIfAbsent(notification.id(), notification) != null) {
                    throw new IllegalArgumentException("a notification with id " + notification.id() + " is already stored");
                }
                reservedIds.add(notification.id());
            }
        } catch (RuntimeException e) {
            for (String id : reservedIds) {
                notifications.remove(id);
            }
            for (Map.Entry<IdempotencyKey, Notification> k : reservedKeys) {
                idempotencyKeys.remove(k.getKey(), k.getValue());
            }
            throw e;
        }

        // Phase 2 cannot fail: inboxes, event log, deliveries.
        List<List<EventLogEntry>> events = appendEvents(requests, duplicateOf);
        List<PublishResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PublishRequest r = requests.get(i);
            if (duplicateOf[i] != null) {
                results.add(new PublishResult(duplicateOf[i], true, List.of(), List.of()));
                continue;
            }
            Notification notification = r.notification();
            for (String user : notification.recipients()) {
                // added inside compute so that a prune dropping an empty inbox cannot race with the add
                inboxes.compute(user, (u, inbox) -> {
                    UserInbox box = inbox == null ? new UserInbox() : inbox;
                    box.add(notification);
                    return box;
                });
            }
            results.add(new PublishResult(notification, false, events.get(i), createDeliveries(r)));
        }
        return results;
    }

    private List<List<EventLogEntry>> appendEvents(List<PublishRequest> requests, Notification[] duplicateOf) {
        List<List<EventLogEntry>> out = new ArrayList<>(requests.size());
        logLock.lock();
        try {
            for (int i = 0; i < requests.size(); i++) {
                PublishRequest r = requests.get(i);
                if (duplicateOf[i] != null || r.audiences().isEmpty()) {
                    out.add(List.of());
                    continue;
                }
                List<EventLogEntry> entries = new ArrayList<>(r.audiences().size());
                for (Audience audience : r.audiences()) {
                    EventLogEntry e = new EventLogEntry(nextSequence++, audience, r.notification());
                    log.append(e);
                    index(e).append(e);
                    entries.add(e);
                }
                out.add(entries);
            }
            publishedSequence = nextSequence - 1;
        } finally {
            logLock.unlock();
        }
        return out;
    }

    private SequenceIndex index(EventLogEntry e) {
        if (e.audience() instanceof Audience.User) {
            return logByUser.computeIfAbsent(((Audience.User) e.audience()).userId(), u -> new SequenceIndex());
        }
        return logByTopic.computeIfAbsent(((Audience.Topic) e.audience()).topic(), t -> new SequenceIndex());
    }

    private List<DeliveryRecord> createDeliveries(PublishRequest r) {
        List<NewDelivery> wanted = r.deliveries();
        if (wanted.isEmpty()) {
            return List.of();
        }
        Notification notification = r.notification();
        Instant createdAt = notification.createdAt();
        List<DeliveryRecord> records = new ArrayList<>(wanted.size());
        long[] ids = new long[wanted.size()];
        for (int i = 0; i < ids.length; i++) {
            NewDelivery nd = wanted.get(i);
            DeliveryState s = new DeliveryState(deliveryIds.incrementAndGet(), notification.id(), nd.channel(), nd.target(),
                    notification.priority(), nd.dueAt(), createdAt);
            ids[i] = s.id;
            synchronized (s) {
                deliveries.put(s.id, s);
                long id = s.id;
                deliveriesByTarget.compute(new ChannelTarget(nd.channel(), nd.target()), (k, targetIds) -> {
                    TargetIds t = targetIds == null ? new TargetIds() : targetIds;
                    t.add(id);
                    return t;
                });
                statusCounts.get(DeliveryStatus.PENDING).increment();
                if (r.lease().isPresent() && !nd.dueAt().isAfter(createdAt)) {
                    lease(s, r.lease().get());
                } else {
                    makeDue(s);
                }
                records.add(s.snapshot());
            }
        }
        deliveriesByNotification.put(notification.id(), ids);
        return records;
    }

    @Override
    public Optional<Notification> find(String notificationId) {
        return notificationId == null ? Optional.empty() : Optional.ofNullable(notifications.get(notificationId));
    }

    // =========================================================================================
    // deliveries
    // =========================================================================================

    @Override
    public List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(lease, "lease");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        reclaimLapsedLeases(now);
        List<DeliveryRecord> claimed = new ArrayList<>(Math.min(limit, 64));
        for (Priority p : BY_URGENCY) {
            // within one priority the set is ordered by due time, so this range holds exactly the due ones
            NavigableSet<DueKey> dueNow = due.subSet(DueKey.first(p), true, DueKey.last(p, now), true);
            for (Iterator<DueKey> it = dueNow.iterator(); it.hasNext() && claimed.size() < limit; ) {
                DueKey k = it.next();
                DeliveryState s = deliveries.get(k.id);
                if (s == null) {
                    continue;
                }
                synchronized (s) {
                    if (s.dueKey == k && due.remove(k)) {
                        s.dueKey = null;
                        lease(s, lease);
                        claimed.add(s.snapshot());
                    }
                }
            }
            if (claimed.size() >= limit) {
                break;
            }
        }
        return claimed;
    }

    private void reclaimLapsedLeases(Instant now) {
        for (Map.Entry<Long, Set<LeaseKey>> bucket : leased.headMap(now.getEpochSecond(), true).entrySet()) {
            for (LeaseKey k : bucket.getValue()) {
                if (k.until.isAfter(now)) {
                    continue;
                }
                reclaim(k);
            }
            // only past seconds: a lease ending in the current second may still be added to this bucket
            if (bucket.getValue().isEmpty() && bucket.getKey() < now.getEpochSecond()) {
                leased.remove(bucket.getKey(), bucket.getValue());
            }
        }
    }

    private void reclaim(LeaseKey k) {
        DeliveryState s = deliveries.get(k.id);
        if (s == null) {
            removeLeased(k);
            return;
        }
        synchronized (s) {
            if (s.leaseKey == k) {
                unlease(s);
                if (s.isActive()) {
                    makeDue(s);
                }
            } else {
                removeLeased(k);
            }
        }
    }

    @Override
    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
        Objects.requireNonNull(attempt, "attempt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        if (status != DeliveryStatus.SENT && status != DeliveryStatus.FAILED && status != DeliveryStatus.RETRYING) {
            throw new IllegalArgumentException("an attempt ends as sent, failed or retrying, not " + status.wireName());
        }
        if (status == DeliveryStatus.RETRYING && nextAttemptAt.isEmpty()) {
            throw new IllegalArgumentException("a retrying delivery needs the time of its next attempt");
        }
        DeliveryState s = deliveries.get(attempt.deliveryId());
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            if (s.removed) {
                return Optional.empty();
            }
            s.addAttempt(attempt);
            s.attempts = attempt.number();
            if (attempt.error().isPresent()) {
                s.lastError = attempt.error().get();
            }
            s.updatedAt = attempt.startedAt().plus(attempt.duration());
            unlease(s);
            unschedule(s);
            // a stale worker must not resurrect what was cancelled or already delivered
            if (s.status != DeliveryStatus.CANCELLED && s.status != DeliveryStatus.SENT) {
                setStatus(s, status);
                if (status == DeliveryStatus.RETRYING) {
                    s.nextAttemptAt = nextAttemptAt.get();
                    makeDue(s);
                } else {
                    s.nextAttemptAt = null;
                    if (status == DeliveryStatus.FAILED) {
                        deadLetters.add(s.id);
                    }
                }
            }
            return Optional.of(s.snapshot());
        }
    }

    @Override
    public void release(long deliveryId, Instant dueAt) {
        Objects.requireNonNull(dueAt, "dueAt");
        DeliveryState s = deliveries.get(deliveryId);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.removed || !s.isActive()) {
                return;
            }
            unlease(s);
            unschedule(s);
            s.nextAttemptAt = dueAt;
            makeDue(s);
        }
    }

    @Override
    public Optional<DeliveryRecord> delivery(long deliveryId) {
        DeliveryState s = deliveries.get(deliveryId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return s.removed ? Optional.empty() : Optional.of(s.snapshot());
        }
    }

    @Override
    public List<DeliveryRecord> deliveries(String notificationId) {
        long[] ids = notificationId == null ? null : deliveriesByNotification.get(notificationId);
        if (ids == null) {
            return List.of();
        }
        List<DeliveryRecord> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            delivery(id).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit) {
        checkLimit(limit);
        TargetIds ids = deliveriesByTarget.get(new ChannelTarget(channel, target));
        if (ids == null) {
            return new Page<>(List.of(), Optional.empty());
        }
        return pageNewestFirst(ids.newestFirst(), cursor, limit);
    }

    @Override
    public List<DeliveryAttempt> attempts(long deliveryId) {
        DeliveryState s = deliveries.get(deliveryId);
        if (s == null) {
            return List.of();
        }
        synchronized (s) {
            return s.removed || s.attemptLog == null ? List.of() : List.copyOf(s.attemptLog);
        }
    }

    @Override
    public List<DeliveryRecord> cancel(String notificationId) {
        long[] ids = notificationId == null ? null : deliveriesByNotification.get(notificationId);
        if (ids == null) {
            return List.of();
        }
        Instant now = clock.instant();
        List<DeliveryRecord> cancelled = new ArrayList<>();
        for (long id : ids) {
            DeliveryState s = deliveries.get(id);
            if (s == null) {
                continue; // pruned meanwhile
            }
            synchronized (s) {
                if (!s.removed && s.isActive()) {
                    unlease(s);
                    unschedule(s);
                    setStatus(s, DeliveryStatus.CANCELLED);
                    s.nextAttemptAt = null;
                    s.updatedAt = now;
                    cancelled.add(s.snapshot());
                }
            }
        }
        return cancelled;
    }

    @Override
    public Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
        checkLimit(limit);
        return pageNewestFirst(deadLetters, cursor, limit);
    }

    /** Pages over delivery ids already in newest-first order; the cursor is the last id handed out. */
    private Page<DeliveryRecord> pageNewestFirst(NavigableSet<Long> newestFirst, Optional<String> cursor, int limit) {
        Objects.requireNonNull(cursor, "cursor");
        NavigableSet<Long> rest = cursor.isPresent() ? newestFirst.tailSet(parseCursor(cursor.get()), false) : newestFirst;
        List<DeliveryRecord> items = new ArrayList<>(Math.min(limit, 64));
        Iterator<Long> it = rest.iterator();
        while (it.hasNext() && items.size() < limit) {
            delivery(it.next()).ifPresent(items::add);
        }
        Optional<String> next = it.hasNext() && !items.isEmpty()
                ? Optional.of(Long.toString(items.get(items.size() - 1).id()))
                : Optional.empty();
        return new Page<>(items, next);
    }

    private static long parseCursor(String cursor) {
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor '" + cursor + "' was not handed out by this store");
        }
    }

    @Override
    public Optional<DeliveryRecord> replay(long deliveryId, Instant now) {
        Objects.requireNonNull(now, "now");
        DeliveryState s = deliveries.get(deliveryId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            if (s.removed || s.status != DeliveryStatus.FAILED) {
                return Optional.empty();
            }
            deadLetters.remove(s.id);
            setStatus(s, DeliveryStatus.PENDING);
            s.attempts = 0;
            s.nextAttemptAt = now;
            s.updatedAt = now;
            makeDue(s);
            return Optional.of(s.snapshot());
        }
    }

    @Override
    public Map<DeliveryStatus, Long> countByStatus() {
        Map<DeliveryStatus, Long> counts = new EnumMap<>(DeliveryStatus.class);
        statusCounts.forEach((status, n) -> counts.put(status, n.sum()));
        return counts;
    }

    // The helpers below run while holding the delivery's monitor.

    private void lease(DeliveryState s, Lease lease) {
        s.leaseOwner = lease.owner();
        s.leaseKey = new LeaseKey(lease.until(), s.id);
        leasedBucket(s.leaseKey).add(s.leaseKey);
    }

    private Set<LeaseKey> leasedBucket(LeaseKey k) {
        return leased.computeIfAbsent(k.until.getEpochSecond(), b -> ConcurrentHashMap.newKeySet());
    }

    private void removeLeased(LeaseKey k) {
        Set<LeaseKey> bucket = leased.get(k.until.getEpochSecond());
        if (bucket != null) {
            bucket.remove(k);
        }
    }

    private void unlease(DeliveryState s) {
        if (s.leaseKey != null) {
            removeLeased(s.leaseKey);
            s.leaseKey = null;
            s.leaseOwner = null;
        }
    }

    private void makeDue(DeliveryState s) {
        s.dueKey = new DueKey(s.priority, s.nextAttemptAt, s.id);
        due.add(s.dueKey);
    }

    private void unschedule(DeliveryState s) {
        if (s.dueKey != null) {
            due.remove(s.dueKey);
            s.dueKey = null;
        }
    }

    private void setStatus(DeliveryState s, DeliveryStatus status) {
        if (s.status != status) {
            statusCounts.get(s.status).decrement();
            statusCounts.get(status).increment();
            s.status = status;
        }
    }

    // =========================================================================================
    // inbox
    // =========================================================================================

    @Override
    public Page<InboxItem> inbox(InboxQuery query) {
        Objects.requireNonNull(query, "query");
        UserInbox inbox = inboxes.get(query.userId());
        if (inbox == null) {
            return new Page<>(List.of(), Optional.empty());
        }
        return inbox.page(query);
    }

    @Override
    public InboxStats stats(String userId) {
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? InboxStats.EMPTY : inbox.stats();
    }

    @Override
    public int mark(String userId, Collection<String> notificationIds, boolean read, Instant now) {
        Objects.requireNonNull(notificationIds, "notificationIds");
        Objects.requireNonNull(now, "now");
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? 0 : inbox.mark(notificationIds, read, now);
    }

    @Override
    public int markAllRead(String userId, Instant now) {
        Objects.requireNonNull(now, "now");
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? 0 : inbox.markAllRead(now);
    }

    @Override
    public int delete(String userId, Collection<String> notificationIds) {
        Objects.requireNonNull(notificationIds, "notificationIds");
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? 0 : inbox.delete(notificationIds);
    }

    // =========================================================================================
    // event log
    // =========================================================================================

    @Override
    public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must not be negative, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        Objects.requireNonNull(topics, "topics");
        long latest = publishedSequence;
        boolean pruned = afterSequence < prunedThrough;
        if (afterSequence >= latest) {
            return new EventLogSlice(List.of(), latest, pruned);
        }
        // each source is ordered; the first `limit` of each are enough to find the first `limit` overall
        TreeMap<Long, EventLogEntry> merged = new TreeMap<>();
        if (userId != null) {
            SequenceIndex index = logByUser.get(userId);
            if (index != null) {
                index.take(afterSequence, latest, limit, merged);
            }
        }
        for (String topic : topics) {
            if (topic.endsWith("*")) {
                String prefix = topic.substring(0, topic.length() - 1);
                NavigableMap<String, SequenceIndex> matching = prefix.isEmpty()
                        ? logByTopic
                        : logByTopic.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
                for (Map.Entry<String, SequenceIndex> e : matching.entrySet()) {
                    if (TopicPatterns.matches(topic, e.getKey())) {
                        e.getValue().take(afterSequence, latest, limit, merged);
                    }
                }
            } else {
                SequenceIndex index = logByTopic.get(topic);
                if (index != null) {
                    index.take(afterSequence, latest, limit, merged);
                }
            }
        }
        List<EventLogEntry> entries = new ArrayList<>(Math.min(limit, merged.size()));
        for (EventLogEntry e : merged.values()) {
            if (entries.size() == limit) {
                break;
            }
            entries.add(e);
        }
        return new EventLogSlice(entries, latest, pruned);
    }

    @Override
    public EventLogSlice readAll(long afterSequence, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must not be negative, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        long latest = publishedSequence;
        boolean pruned = afterSequence < prunedThrough;
        if (afterSequence >= latest) {
            return new EventLogSlice(List.of(), latest, pruned);
        }
        return new EventLogSlice(log.range(afterSequence, latest, limit), latest, pruned);
    }

    @Override
    public long latestSequence() {
        return publishedSequence;
    }

    @Override
    public long prune(Instant now, Retention retention) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(retention, "retention");
        Set<String> removedNotifications = pruneNotificationsAndDeliveries(now, retention);
        // a removed notification's entries go with it, as they do in a store that joins them
        Instant eventCutoff = now.minus(min(retention.eventMaxAge(), retention.notificationMaxAge()));
        long removed = 0;
        logLock.lock();
        try {
            long highestRemoved = prunedThrough;
            while (!log.isEmpty()) {
                EventLogEntry e = log.head();
                boolean tooOld = e.notification().createdAt().isBefore(eventCutoff);
                if (!tooOld && log.size() <= retention.eventMaxCount()) {
                    break;
                }
                log.removeHead(e.sequence());
                unindex(e);
                removed++;
                highestRemoved = e.sequence();
            }
            prunedThrough = highestRemoved;
        } finally {
            logLock.unlock();
        }
        Instant keyCutoff = now.minus(retention.idempotencyWindow());
        idempotencyKeys.values().removeIf(n -> n.createdAt().isBefore(keyCutoff) || removedNotifications.contains(n.id()));
        return removed;
    }

    private static java.time.Duration min(java.time.Duration a, java.time.Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Removes sent and cancelled deliveries past {@link Retention#deliveryMaxAge()}, and
     * notifications past {@link Retention#notificationMaxAge()} with their inbox items and
     * deliveries, unless one of those deliveries is pending or retrying. Returns the ids of the
     * removed notifications.
     */
    private Set<String> pruneNotificationsAndDeliveries(Instant now, Retention retention) {
        Instant deliveryCutoff = now.minus(retention.deliveryMaxAge());
        Instant notificationCutoff = now.minus(retention.notificationMaxAge());
        Map<ChannelTarget, Set<Long>> goneByTarget = new HashMap<>();
        Map<String, Set<Long>> goneByNotification = new HashMap<>();
        Set<String> removedNotifications = new java.util.HashSet<>();

        for (Notification n : notifications.values()) {
            if (!n.createdAt().isBefore(notificationCutoff)) {
                continue;
            }
            long[] ids = deliveriesByNotification.get(n.id());
            if (ids != null && anyActive(ids)) {
                continue; // still being delivered: the engine needs the notification for the next attempt
            }
            boolean allGone = true;
            if (ids != null) {
                for (long id : ids) {
                    DeliveryState s = deliveries.get(id);
                    if (s != null && !removeDelivery(s, null, goneByTarget, goneByNotification)) {
                        allGone = false;
                    }
                }
            }
            if (!allGone) {
                continue; // replayed meanwhile
            }
            notifications.remove(n.id(), n);
            removedNotifications.add(n.id());
            deliveriesByNotification.remove(n.id());
            goneByNotification.remove(n.id());
            for (String user : n.recipients()) {
                inboxes.computeIfPresent(user, (u, inbox) -> inbox.deleteOne(n.id()) ? null : inbox);
            }
        }

        for (DeliveryState s : deliveries.values()) {
            removeDelivery(s, deliveryCutoff, goneByTarget, goneByNotification);
        }

        goneByTarget.forEach((target, gone) -> deliveriesByTarget.computeIfPresent(target, (k, t) -> t.removeAll(gone) ? null : t));
        goneByNotification.forEach((id, gone) -> deliveriesByNotification.computeIfPresent(id, (k, ids) -> {
            long[] kept = Arrays.stream(ids).filter(d -> !gone.contains(d)).toArray();
            return kept.length == 0 ? null : kept;
        }));
        return removedNotifications;
    }

    private boolean anyActive(long[] ids) {
        for (long id : ids) {
            DeliveryState s = deliveries.get(id);
            if (s != null) {
                synchronized (s) {
                    if (!s.removed && s.isActive()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Removes the delivery if it is not pending or retrying and, with a {@code sentCutoff}, only if it
     * is sent or cancelled and last updated before the cutoff. Returns whether it is gone.
     */
    private boolean removeDelivery(DeliveryState s, Instant sentCutoff, Map<ChannelTarget, Set<Long>> goneByTarget,
                                   Map<String, Set<Long>> goneByNotification) {
        synchronized (s) {
            if (s.removed) {
                return true;
            }
            if (s.isActive()) {
                return false;
            }
            if (sentCutoff != null && (s.status == DeliveryStatus.FAILED || !s.updatedAt.isBefore(sentCutoff))) {
                return false;
            }
            s.removed = true;
            unlease(s);
            unschedule(s);
            if (s.status == DeliveryStatus.FAILED) {
                deadLetters.remove(s.id);
            }
            statusCounts.get(s.status).decrement();
            deliveries.remove(s.id, s);
            goneByTarget.computeIfAbsent(new ChannelTarget(s.channel, s.target), k -> new java.util.HashSet<>()).add(s.id);
            goneByNotification.computeIfAbsent(s.notificationId, k -> new java.util.HashSet<>()).add(s.id);
            return true;
        }
    }

    private void unindex(EventLogEntry e) {
        if (e.audience() instanceof Audience.User) {
            String user = ((Audience.User) e.audience()).userId();
            SequenceIndex m = logByUser.get(user);
            if (m != null) {
                m.removeHead(e.sequence());
                // appends also hold logLock, so nobody adds to this map while we drop it
                if (m.isEmpty()) {
                    logByUser.remove(user, m);
                }
            }
        } else {
            String topic = ((Audience.Topic) e.audience()).topic();
            SequenceIndex m = logByTopic.get(topic);
            if (m != null) {
                m.removeHead(e.sequence());
                if (m.isEmpty()) {
                    logByTopic.remove(topic, m);
                }
            }
        }
    }

    // =========================================================================================
    // the rest
    // =========================================================================================

    @Override
    public WebhookEndpointStore webhookEndpoints() {
        return webhooks;
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    @Override
    public void close() {
        // nothing to release: no threads, no connections
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }

    // =========================================================================================
    // internal types
    // =========================================================================================

    private static final class IdempotencyKey {
        final String scope;
        final String key;

        IdempotencyKey(String scope, String key) {
            this.scope = scope;
            this.key = key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IdempotencyKey && ((IdempotencyKey) o).scope.equals(scope) && ((IdempotencyKey) o).key.equals(key);
        }

        @Override
        public int hashCode() {
            return 31 * scope.hashCode() + key.hashCode();
        }
    }

    /**
     * The delivery ids of one (channel, target): appended on every save, read only by the rare
     * attempts-log listing, so appends are a plain array write instead of a sorted-set insert.
     */
    private static final class TargetIds {
        private long[] ids = new long[8];
        private int size;

        synchronized void add(long id) {
            if (size == ids.length) {
                ids = java.util.Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        /** Drops these ids; returns whether none is left. */
        synchronized boolean removeAll(Set<Long> gone) {
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (!gone.contains(ids[i])) {
                    ids[kept++] = ids[i];
                }
            }
            size = kept;
            if (size < ids.length / 4 && ids.length > 8) {
                ids = java.util.Arrays.copyOf(ids, Math.max(8, size * 2));
            }
            return size == 0;
        }

        synchronized NavigableSet<Long> newestFirst() {
            java.util.TreeSet<Long> set = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
            for (int i = 0; i < size; i++) {
                set.add(ids[i]);
            }
            return set;
        }
    }

    private static final class ChannelTarget {
        final String channel;
        final String target;

        ChannelTarget(String channel, String target) {
            this.channel = Objects.requireNonNull(channel, "channel");
            this.target = Objects.requireNonNull(target, "target");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChannelTarget && ((ChannelTarget) o).channel.equals(channel) && ((ChannelTarget) o).target.equals(target);
        }

        @Override
        public int hashCode() {
            return 31 * channel.hashCode() + target.hashCode();
        }
    }

    /**
     * A claimable delivery's place in the queue. Compared by identity of the delivery's current
     * key, so a key left behind by a concurrent change can never be claimed.
     */
    private static final class DueKey implements Comparable<DueKey> {
        final int urgency; // higher is more urgent
        final Instant dueAt;
        final long id;

        DueKey(Priority priority, Instant dueAt, long id) {
            this(priority.ordinal(), dueAt, id);
        }

        private DueKey(int urgency, Instant dueAt, long id) {
            this.urgency = urgency;
            this.dueAt = dueAt;
            this.id = id;
        }

        static DueKey first(Priority p) {
            return new DueKey(p.ordinal(), Instant.MIN, Long.MIN_VALUE);
        }

        static DueKey last(Priority p, Instant now) {
            return new DueKey(p.ordinal(), now, Long.MAX_VALUE);
        }

        @Override
        public int compareTo(DueKey o) {
            if (urgency != o.urgency) {
                return urgency > o.urgency ? -1 : 1;
            }
            int c = dueAt.compareTo(o.dueAt);
            return c != 0 ? c : Long.compare(id, o.id);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DueKey && compareTo((DueKey) o) == 0;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    /** A lease held on one delivery; kept in per-second hash buckets, so it needs no ordering. */
    private record LeaseKey(Instant until, long id) {
    }

    /** One delivery's mutable state; every access holds its monitor. */
    private static final class DeliveryState {
        final long id;
        final String notificationId;
        final String channel;
        final String target;
        final Priority priority;
        final Instant createdAt;
        DeliveryStatus status = DeliveryStatus.PENDING;
        int attempts;
        Instant nextAttemptAt;
        String lastError;
        Instant updatedAt;
        String leaseOwner;
        LeaseKey leaseKey; // non-null exactly while in `leased`
        DueKey dueKey; // non-null exactly while in `due`
        List<DeliveryAttempt> attemptLog; // most deliveries succeed at once: allocated on first attempt
        boolean removed; // pruned: gone from every index, to be treated as unknown

        DeliveryState(long id, String notificationId, String channel, String target, Priority priority,
                      Instant dueAt, Instant createdAt) {
            this.id = id;
            this.notificationId = notificationId;
            this.channel = channel;
            this.target = target;
            this.priority = priority;
            this.nextAttemptAt = dueAt;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        boolean isActive() {
            return status == DeliveryStatus.PENDING || status == DeliveryStatus.RETRYING;
        }

        void addAttempt(DeliveryAttempt attempt) {
            if (attemptLog == null) {
                attemptLog = new ArrayList<>(2);
            }
            attemptLog.add(attempt);
        }

        DeliveryRecord snapshot() {
            return new DeliveryRecord(id, notificationId, channel, target, priority, status, attempts,
                    Optional.ofNullable(nextAttemptAt), Optional.ofNullable(lastError), createdAt, updatedAt);
        }
    }

    /**
     * The event-log entries of one user or topic, in sequence order. Appends happen under the log
     * lock in increasing sequence order and pruning removes from the head, so a plain array with a
     * moving head does: cheaper than a skip list, whose every insert chases pointers.
     */
    private static final class SequenceIndex {
        private EventLogEntry[] entries = new EventLogEntry[4];
        private int head;
        private int tail;

        synchronized void append(EventLogEntry e) {
            if (tail == entries.length) {
                int live = tail - head;
                EventLogEntry[] target = live <= entries.length / 2 ? entries : new EventLogEntry[entries.length * 2];
                System.arraycopy(entries, head, target, 0, live);
                if (target == entries) {
                    Arrays.fill(entries, live, tail, null);
                }
                entries = target;
                head = 0;
                tail = live;
            }
            entries[tail++] = e;
        }

        /** Drops the oldest entry if it is {@code sequence}. */
        synchronized void removeHead(long sequence) {
            if (head < tail && entries[head].sequence() == sequence) {
                entries[head++] = null;
            }
        }

        synchronized boolean isEmpty() {
            return head == tail;
        }

        synchronized int size() {
            return tail - head;
        }

        synchronized EventLogEntry head() {
            return head < tail ? entries[head] : null;
        }

        /** The first {@code limit} entries in (after, latest], in order. */
        synchronized List<EventLogEntry> range(long after, long latest, int limit) {
            int lo = head;
            int hi = tail;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (entries[mid].sequence() <= after) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            List<EventLogEntry> out = new ArrayList<>(Math.min(limit, Math.max(0, tail - lo)));
            for (int i = lo; i < tail && out.size() < limit; i++) {
                if (entries[i].sequence() > latest) {
                    break;
                }
                out.add(entries[i]);
            }
            return out;
        }

        /** Adds the first {@code limit} entries in (after, latest] to {@code into}. */
        synchronized void take(long after, long latest, int limit, TreeMap<Long, EventLogEntry> into) {
            int lo = head;
            int hi = tail;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (entries[mid].sequence() <= after) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (int i = lo, n = 0; i < tail && n < limit; i++, n++) {
                EventLogEntry e = entries[i];
                if (e.sequence() > latest) {
                    return;
                }
                into.put(e.sequence(), e);
            }
        }
    }

    /**
     * One user's inbox; guarded by its own monitor. Items sit in an array sorted oldest first,
     * because new notifications almost always go at the end: an append, where a tree would walk
     * (and miss the cache on) a path of nodes for every publish.
     */
    private static final class UserInbox {
        private Item[] items = new Item[4];
        private int size;
        private final HashMap<String, Item> byId = new HashMap<>();
        private long unread;

        synchronized void add(Notification n) {
            Item item = new Item(n);
            if (byId.putIfAbsent(n.id(), item) != null) {
                return;
            }
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int pos = size == 0 || items[size - 1].key.compareTo(item.key) < 0 ? size : -(search(item.key) + 1);
            System.arraycopy(items, pos, items, pos + 1, size - pos);
            items[pos] = item;
            size++;
            unread++;
        }

        /** Binary search by key: the index if present, else {@code -(insertion point) - 1}. */
        private int search(InboxKey key) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = items[mid].key.compareTo(key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        synchronized Page<InboxItem> page(InboxQuery q) {
            int from = size - 1;
            if (q.cursor().isPresent()) {
                int at = search(decodeCursor(q.cursor().get()));
                from = at >= 0 ? at - 1 : -(at + 1) - 1;
            }
            List<InboxItem> page = new ArrayList<>(Math.min(q.limit(), 64));
            InboxKey last = null;
            boolean more = false;
            for (int i = from; i >= 0; i--) {
                Item item = items[i];
                if (q.unreadOnly() && item.readAt != null) {
                    continue;
                }
                if (page.size() == q.limit()) {
                    more = true;
                    break;
                }
                page.add(new InboxItem(q.userId(), item.notification, item.readAt != null, Optional.ofNullable(item.readAt)));
                last = item.key;
            }
            return new Page<>(page, more ? Optional.of(encodeCursor(last)) : Optional.empty());
        }

        synchronized InboxStats stats() {
            return new InboxStats(size, unread, size - unread);
        }

        synchronized int mark(Collection<String> ids, boolean read, Instant now) {
            int changed = 0;
            for (String id : new LinkedHashSet<>(ids)) {
                Item item = id == null ? null : byId.get(id);
                if (item != null && (item.readAt != null) != read) {
                    item.readAt = read ? now : null;
                    unread += read ? -1 : 1;
                    changed++;
                }
            }
            return changed;
        }

        synchronized int markAllRead(Instant now) {
            int changed = 0;
            for (int i = 0; i < size; i++) {
                if (items[i].readAt == null) {
                    items[i].readAt = now;
                    changed++;
                }
            }
            unread = 0;
            return changed;
        }

        /** Deletes one notification; returns whether the inbox is now empty. */
        synchronized boolean deleteOne(String id) {
            delete(List.of(id));
            return size == 0;
        }

        synchronized int delete(Collection<String> ids) {
            int deleted = 0;
            for (String id : new LinkedHashSet<>(ids)) {
                Item item = id == null ? null : byId.remove(id);
                if (item != null) {
                    int pos = search(item.key);
                    System.arraycopy(items, pos + 1, items, pos, size - pos - 1);
                    items[--size] = null;
                    if (item.readAt == null) {
                        unread--;
                    }
                    deleted++;
                }
            }
            return deleted;
        }

        // A keyset cursor (createdAt + id of the last item) so pages never repeat or skip items
        // when newer notifications arrive between two page requests.
        private static String encodeCursor(InboxKey last) {
            return last.createdAt.getEpochSecond() + "." + last.createdAt.getNano() + "." + last.id;
        }

        private static InboxKey decodeCursor(String cursor) {
            String[] parts = cursor.split("\\.", 3);
            try {
                if (parts.length == 3) {
                    return new InboxKey(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
                }
            } catch (RuntimeException e) {
                // reported below
            }
            throw new IllegalArgumentException("cursor '" + cursor + "' was not handed out by this store");
        }

        /** Oldest first: createdAt, then id. */
        private static final class InboxKey implements Comparable<InboxKey> {
            final Instant createdAt;
            final String id;

            InboxKey(Instant createdAt, String id) {
                this.createdAt = createdAt;
                this.id = id;
            }

            @Override
            public int compareTo(InboxKey o) {
                int c = createdAt.compareTo(o.createdAt);
                return c != 0 ? c : id.compareTo(o.id);
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof InboxKey && compareTo((InboxKey) o) == 0;
            }

            @Override
            public int hashCode() {
                return id.hashCode();
            }
        }

        private static final class Item {
            final Notification notification;
            final InboxKey key;
            Instant readAt;

            Item(Notification notification) {
                this.notification = notification;
                this.key = new InboxKey(notification.createdAt(), notification.id());
            }
        }
    }

    /** Webhook endpoints: few and rarely changed, so one lock is plenty. */
    private static final class Webhooks implements WebhookEndpointStore {
        private final Map<String, Registered> endpoints = new HashMap<>();
        private long nextOrder;

        @Override
        public synchronized WebhookEndpoint create(WebhookEndpoint endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (endpoints.containsKey(endpoint.id())) {
                throw new IllegalArgumentException("a webhook endpoint with id " + endpoint.id() + " already exists");
            }
            endpoints.put(endpoint.id(), new Registered(endpoint, nextOrder++));
            return endpoint;
        }

        @Override
        public synchronized Optional<WebhookEndpoint> find(String id) {
            Registered r = id == null ? null : endpoints.get(id);
            return r == null ? Optional.empty() : Optional.of(r.endpoint);
        }

        @Override
        public synchronized List<WebhookEndpoint> list() {
            List<Registered> all = new ArrayList<>(endpoints.values());
            all.sort(Comparator.comparing((Registered r) -> r.endpoint.createdAt()).thenComparingLong(r -> r.order));
            List<WebhookEndpoint> out = new ArrayList<>(all.size());
            for (Registered r : all) {
                out.add(r.endpoint);
            }
            return out;
        }

        @Override
        public synchronized Optional<WebhookEndpoint> update(WebhookEndpoint endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            Registered r = endpoints.get(endpoint.id());
            if (r == null) {
                return Optional.empty();
            }
            endpoints.put(endpoint.id(), new Registered(endpoint, r.order));
            return Optional.of(endpoint);
        }

        @Override
        public synchronized boolean delete(String id) {
            return id != null && endpoints.remove(id) != null;
        }

        private static final class Registered {
            final WebhookEndpoint endpoint;
            final long order;

            Registered(WebhookEndpoint endpoint, long order) {
                this.endpoint = endpoint;
                this.order = order;
            }
        }
    }
}
