package dev.notify.core.memory;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
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
import java.time.Duration;
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
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link NotificationStore} that keeps everything in memory: for library users who need no
 * durability, for tests, and for benchmarks of the engine without a database.
 *
 * <p>Thread-safe without a global lock on the delivery path: deliveries live in a chunked array
 * indexed by their id and each one is guarded by its own monitor; due deliveries sit in a concurrent skip list ordered
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
 * <p>It keeps few objects per notification, because on a busy JVM copying what survives young
 * collections is most of the cost: notifications in a {@link StringKeyedTable} with the block of
 * delivery ids reserved for them, inboxes as sorted arrays, leases as ids in per-second buckets, a
 * first attempt that simply succeeded as numbers.
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
    // each notification with the range of delivery ids reserved for it
    private final StringKeyedTable<Stored> notifications = new StringKeyedTable<>(st -> st.notification.id());
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
    // ids are dense and increasing, so an array indexed by id: no boxed key, no hash node, no rehashing
    private final DeliveryTable deliveries = new DeliveryTable();
    // channel -> target -> ids; two levels so that a lookup needs no key object
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, TargetIds>> deliveriesByTarget = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<DueKey> due = new ConcurrentSkipListSet<>();
    /**
     * Leased deliveries bucketed by the second their lease ends in. A lease is taken and released
     * for every delivery, so taking one appends an id to its bucket and releasing one only counts
     * down; a bucket is dropped once nothing in it is leased any more (see {@link LeaseBucket}).
     */
    private final ConcurrentSkipListMap<Long, LeaseBucket> leased = new ConcurrentSkipListMap<>();
    private volatile LeaseBucket lastLeaseBucket; // where the leases of this second go: skips the map lookup
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
        Stored[] stored = new Stored[n];
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
                // the deliveries' ids are reserved here, in one block, so the notification needs no id list
                int count = r.deliveries().size();
                Stored st = new Stored(notification, count == 0 ? 0 : deliveryIds.getAndAdd(count) + 1, count);
                if (notifications.putIfAbsent(st) != null) {
                    throw new IllegalArgumentException("a notification with id " + notification.id() + " is already stored");
                }
                stored[i] = st;
            }
        } catch (RuntimeException e) {
            for (Stored st : stored) {
                if (st != null) {
                    notifications.remove(st);
                }
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
                addToInbox(user, notification);
            }
            results.add(new PublishResult(notification, false, events.get(i), createDeliveries(r, stored[i])));
        }
        return results;
    }

    private void addToInbox(String user, Notification notification) {
        while (true) {
            UserInbox box = inboxes.get(user);
            if (box == null) {
                box = inboxes.computeIfAbsent(user, u -> new UserInbox());
            }
            if (box.add(notification)) {
                return;
            }
            // a prune emptied and dropped this inbox meanwhile: add to a fresh one
            inboxes.remove(user, box);
        }
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
                // immutable: the result keeps it without a copy
                out.add(entries.size() == 1 ? List.of(entries.get(0)) : entries);
            }
            publishedSequence = nextSequence - 1;
        } finally {
            logLock.unlock();
        }
        return out;
    }

    // called under logLock, as is every removal from these maps: a get first spares computeIfAbsent's bin lock
    private SequenceIndex index(EventLogEntry e) {
        if (e.audience() instanceof Audience.User) {
            String user = ((Audience.User) e.audience()).userId();
            SequenceIndex index = logByUser.get(user);
            return index != null ? index : logByUser.computeIfAbsent(user, u -> new SequenceIndex());
        }
        String topic = ((Audience.Topic) e.audience()).topic();
        SequenceIndex index = logByTopic.get(topic);
        return index != null ? index : logByTopic.computeIfAbsent(topic, t -> new SequenceIndex());
    }

    private List<DeliveryRecord> createDeliveries(PublishRequest r, Stored stored) {
        List<NewDelivery> wanted = r.deliveries();
        if (wanted.isEmpty()) {
            return List.of();
        }
        Notification notification = r.notification();
        Instant createdAt = notification.createdAt();
        Lease lease = r.lease().orElse(null);
        List<DeliveryRecord> records = new ArrayList<>(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
            NewDelivery nd = wanted.get(i);
            DeliveryState s = new DeliveryState(stored.firstDelivery + i, notification.id(), nd.channel(), nd.target(),
                    notification.priority(), nd.dueAt(), createdAt);
            synchronized (s) {
                deliveries.put(s);
                addToTarget(nd.channel(), nd.target(), s.id);
                statusCounts.get(DeliveryStatus.PENDING).increment();
                if (lease != null && !nd.dueAt().isAfter(createdAt)) {
                    lease(s, lease);
                } else {
                    makeDue(s);
                }
                records.add(s.snapshot());
            }
        }
        return records.size() == 1 ? List.of(records.get(0)) : records; // immutable: the result keeps it without a copy
    }

    private void addToTarget(String channel, String target, long id) {
        ConcurrentHashMap<String, TargetIds> byTarget = deliveriesByTarget.get(channel);
        if (byTarget == null) {
            byTarget = deliveriesByTarget.computeIfAbsent(channel, c -> new ConcurrentHashMap<>());
        }
        while (true) {
            TargetIds ids = byTarget.get(target);
            if (ids == null) {
                ids = byTarget.computeIfAbsent(target, t -> new TargetIds());
            }
            if (ids.add(id)) {
                return;
            }
            // a prune emptied and dropped it meanwhile
            byTarget.remove(target, ids);
        }
    }

    private Notification notificationOrNull(String id) {
        Stored s = notifications.get(id);
        return s == null ? null : s.notification;
    }

    @Override
    public Optional<Notification> find(String notificationId) {
        Stored s = notificationId == null ? null : notifications.get(notificationId);
        return s == null ? Optional.empty() : Optional.of(s.notification);
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
        long second = now.getEpochSecond();
        for (LeaseBucket bucket : leased.values()) {
            if (bucket.second <= second) {
                for (long id : bucket.ids()) {
                    reclaim(bucket, id, now);
                }
            }
            // any bucket, lapsed or not, goes once nothing in it is leased: released ids are only counted down
            if (bucket.closeIfIdle()) {
                leased.remove(bucket.second, bucket);
            }
        }
    }

    private void reclaim(LeaseBucket bucket, long id, Instant now) {
        DeliveryState s = deliveries.get(id);
        if (s == null) {
            return;
        }
        synchronized (s) {
            // an id stays in its bucket after its lease is released: only a lease still held in this bucket counts
            if (s.leaseBucket == bucket && !s.leaseUntil.isAfter(now)) {
                unlease(s);
                if (s.isActive()) {
                    makeDue(s);
                }
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
            s.updatedAt = null; // the end of this attempt, computed when asked for
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
        Stored n = notificationId == null ? null : notifications.get(notificationId);
        if (n == null || n.deliveryCount == 0) {
            return List.of();
        }
        List<DeliveryRecord> out = new ArrayList<>(n.deliveryCount);
        for (long id = n.firstDelivery; id < n.firstDelivery + n.deliveryCount; id++) {
            delivery(id).ifPresent(out::add); // empty once retention pruned it
        }
        return out;
    }

    @Override
    public Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit) {
        checkLimit(limit);
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(target, "target");
        ConcurrentHashMap<String, TargetIds> byTarget = deliveriesByTarget.get(channel);
        TargetIds ids = byTarget == null ? null : byTarget.get(target);
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
            return s.removed ? List.of() : s.attempts();
        }
    }

    @Override
    public List<DeliveryRecord> cancel(String notificationId) {
        Stored n = notificationId == null ? null : notifications.get(notificationId);
        if (n == null || n.deliveryCount == 0) {
            return List.of();
        }
        Instant now = clock.instant();
        List<DeliveryRecord> cancelled = new ArrayList<>();
        for (long id = n.firstDelivery; id < n.firstDelivery + n.deliveryCount; id++) {
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
        long second = lease.until().getEpochSecond();
        while (true) {
            LeaseBucket bucket = lastLeaseBucket;
            if (bucket == null || bucket.second != second) {
                bucket = leased.computeIfAbsent(second, LeaseBucket::new);
                lastLeaseBucket = bucket;
            }
            if (bucket.add(s.id)) {
                s.leaseBucket = bucket;
                s.leaseUntil = lease.until();
                s.leaseOwner = lease.owner();
                return;
            }
            // dropped as idle meanwhile: make sure it is out of the map, then take a fresh one
            leased.remove(second, bucket);
            lastLeaseBucket = null;
        }
    }

    private void unlease(DeliveryState s) {
        if (s.leaseBucket != null) {
            s.leaseBucket.release();
            s.leaseBucket = null;
            s.leaseUntil = null;
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
        return inbox == null ? 0 : inbox.mark(notificationIds, read, now, this::notificationOrNull);
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
        return inbox == null ? 0 : inbox.delete(notificationIds, this::notificationOrNull);
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
        Set<String> removedNotifications = new java.util.HashSet<>();

        for (Stored st : notifications.values()) {
            Notification n = st.notification;
            if (!n.createdAt().isBefore(notificationCutoff)) {
                continue;
            }
            if (anyActive(st)) {
                continue; // still being delivered: the engine needs the notification for the next attempt
            }
            boolean allGone = true;
            for (long id = st.firstDelivery; id < st.firstDelivery + st.deliveryCount; id++) {
                DeliveryState s = deliveries.get(id);
                if (s != null && !removeDelivery(s, null, goneByTarget)) {
                    allGone = false;
                }
            }
            if (!allGone) {
                continue; // replayed meanwhile
            }
            notifications.remove(st);
            removedNotifications.add(n.id());
            for (String user : n.recipients()) {
                inboxes.computeIfPresent(user, (u, inbox) -> inbox.deleteOne(n) ? null : inbox);
            }
        }

        deliveries.forEach(s -> removeDelivery(s, deliveryCutoff, goneByTarget));
        deliveries.dropEmptyChunks();

        goneByTarget.forEach((target, gone) -> {
            ConcurrentHashMap<String, TargetIds> byTarget = deliveriesByTarget.get(target.channel);
            if (byTarget != null) {
                byTarget.computeIfPresent(target.target, (k, t) -> t.removeAll(gone) ? null : t);
            }
        });
        return removedNotifications;
    }

    private boolean anyActive(Stored st) {
        for (long id = st.firstDelivery; id < st.firstDelivery + st.deliveryCount; id++) {
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
    private boolean removeDelivery(DeliveryState s, Instant sentCutoff, Map<ChannelTarget, Set<Long>> goneByTarget) {
        synchronized (s) {
            if (s.removed) {
                return true;
            }
            if (s.isActive()) {
                return false;
            }
            if (sentCutoff != null && (s.status == DeliveryStatus.FAILED || !s.updatedAt().isBefore(sentCutoff))) {
                return false;
            }
            s.removed = true;
            unlease(s);
            unschedule(s);
            if (s.status == DeliveryStatus.FAILED) {
                deadLetters.remove(s.id);
            }
            statusCounts.get(s.status).decrement();
            deliveries.remove(s);
            goneByTarget.computeIfAbsent(new ChannelTarget(s.channel, s.target), k -> new java.util.HashSet<>()).add(s.id);
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
        private boolean dropped; // emptied by a prune and on its way out of the map

        /** Adds the id; false when this list was dropped, and the id belongs in a fresh one. */
        synchronized boolean add(long id) {
            if (dropped) {
                return false;
            }
            if (size == ids.length) {
                ids = java.util.Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
            return true;
        }

        /** Drops these ids; returns whether none is left, in which case the list is dropped. */
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
            dropped = size == 0;
            return dropped;
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

    /** A stored notification and the block of delivery ids reserved for it when it was saved. */
    private static final class Stored {
        final Notification notification;
        final long firstDelivery;
        final int deliveryCount;

        Stored(Notification notification, long firstDelivery, int deliveryCount) {
            this.notification = notification;
            this.firstDelivery = firstDelivery;
            this.deliveryCount = deliveryCount;
        }
    }

    /**
     * The deliveries whose leases end in one second. Taking a lease appends the id; releasing
     * one only counts down, so the id stays behind and whoever walks the bucket checks that the
     * delivery still holds a lease in it. Once the count is zero the bucket can be closed and
     * dropped; a lease taken after that goes to a fresh bucket for the same second.
     */
    private static final class LeaseBucket {
        final long second;
        private final AtomicInteger held = new AtomicInteger();
        private long[] ids = new long[16];
        private int size;
        private boolean closed;

        LeaseBucket(long second) {
            this.second = second;
        }

        /** Records a lease of this delivery; false when the bucket is closed. */
        synchronized boolean add(long id) {
            if (closed) {
                return false;
            }
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
            held.incrementAndGet();
            return true;
        }

        /** A lease taken with {@link #add} ended. */
        void release() {
            held.decrementAndGet();
        }

        /** Closes the bucket if no lease in it is held; returns whether it is closed. */
        synchronized boolean closeIfIdle() {
            if (held.get() == 0) {
                closed = true;
            }
            return closed;
        }

        /** Every id ever added, held or not. */
        synchronized long[] ids() {
            return Arrays.copyOf(ids, size);
        }
    }

    /**
     * Deliveries by id, in chunks of {@value #CHUNK} slots: ids are handed out in increasing
     * order, so this is a growing array. A chunk is created on its first write and freed once
     * retention has emptied it.
     */
    private static final class DeliveryTable {
        private static final int SHIFT = 12;
        private static final int CHUNK = 1 << SHIFT;
        private volatile AtomicReferenceArray<Chunk> chunks = new AtomicReferenceArray<>(16);

        /** One chunk; {@code retired} is set while a prune decides whether to free it. */
        private static final class Chunk extends AtomicReferenceArray<DeliveryState> {
            private static final long serialVersionUID = 1L;
            volatile boolean retired;

            Chunk() {
                super(CHUNK);
            }
        }

        DeliveryState get(long id) {
            if (id < 0) {
                return null;
            }
            Chunk chunk = chunk(id >>> SHIFT);
            return chunk == null ? null : chunk.get((int) (id & (CHUNK - 1)));
        }

        void put(DeliveryState s) {
            long index = s.id >>> SHIFT;
            int slot = (int) (s.id & (CHUNK - 1));
            Chunk chunk = chunk(index);
            if (chunk == null) {
                chunk = createChunk(index);
            }
            chunk.set(slot, s);
            // Write, then read the flag; a prune sets the flag, then reads the slots. So either the
            // prune sees this delivery and keeps the chunk, or we see the flag and write again
            // once the prune is done (it holds the lock), into whichever chunk is there by then.
            if (chunk.retired) {
                synchronized (this) {
                    createChunk(index).set(slot, s);
                }
            }
        }

        void remove(DeliveryState s) {
            Chunk chunk = chunk(s.id >>> SHIFT);
            if (chunk != null) {
                chunk.compareAndSet((int) (s.id & (CHUNK - 1)), s, null);
            }
        }

        void forEach(java.util.function.Consumer<DeliveryState> action) {
            AtomicReferenceArray<Chunk> all = chunks;
            for (int c = 0; c < all.length(); c++) {
                Chunk chunk = all.get(c);
                for (int i = 0; chunk != null && i < CHUNK; i++) {
                    DeliveryState s = chunk.get(i);
                    if (s != null) {
                        action.accept(s);
                    }
                }
            }
        }

        /** Frees the chunks that retention emptied. */
        synchronized void dropEmptyChunks() {
            AtomicReferenceArray<Chunk> all = chunks;
            for (int c = 0; c < all.length(); c++) {
                Chunk chunk = all.get(c);
                if (chunk == null) {
                    continue;
                }
                chunk.retired = true;
                if (isEmpty(chunk)) {
                    all.set(c, null);
                } else {
                    chunk.retired = false;
                }
            }
        }

        private static boolean isEmpty(Chunk chunk) {
            for (int i = 0; i < CHUNK; i++) {
                if (chunk.get(i) != null) {
                    return false;
                }
            }
            return true;
        }

        private Chunk chunk(long index) {
            AtomicReferenceArray<Chunk> all = chunks;
            return index < all.length() ? all.get((int) index) : null;
        }

        /** The chunk at {@code index}, created if missing. */
        private synchronized Chunk createChunk(long index) {
            if (index >= Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("delivery ids exhausted");
            }
            AtomicReferenceArray<Chunk> all = chunks;
            if (index >= all.length()) {
                AtomicReferenceArray<Chunk> grown = new AtomicReferenceArray<>((int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max(index + 1, 2L * all.length())));
                for (int c = 0; c < all.length(); c++) {
                    grown.set(c, all.get(c));
                }
                chunks = grown;
                all = grown;
            }
            Chunk chunk = all.get((int) index);
            if (chunk == null) {
                chunk = new Chunk();
                all.set((int) index, chunk);
            }
            return chunk;
        }
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
        Instant updatedAt; // null: the end of the last attempt (saves an Instant per delivery)
        String leaseOwner;
        Instant leaseUntil;
        LeaseBucket leaseBucket; // non-null exactly while a lease is held
        DueKey dueKey; // non-null exactly while in `due`
        // Most deliveries succeed at once. Such a first attempt (sent; no status code, error or
        // response) is kept as the numbers below rather than as an object with an Instant and a
        // Duration; any other first attempt as the object. Later attempts go to a list.
        DeliveryAttempt firstAttempt;
        boolean plainFirst;
        int firstNumber;
        long firstStartSecond;
        int firstStartNano;
        long firstNanos;
        List<DeliveryAttempt> laterAttempts;
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
            if (!hasAttempts()) {
                Duration took = attempt.duration();
                if (attempt.outcome() == DeliveryResult.Outcome.SENT && attempt.statusCode().isEmpty()
                        && attempt.error().isEmpty() && attempt.response().isEmpty()
                        && !took.isNegative() && took.getSeconds() < Integer.MAX_VALUE) {
                    plainFirst = true;
                    firstNumber = attempt.number();
                    firstStartSecond = attempt.startedAt().getEpochSecond();
                    firstStartNano = attempt.startedAt().getNano();
                    firstNanos = took.toNanos();
                } else {
                    firstAttempt = attempt;
                }
                return;
            }
            if (laterAttempts == null) {
                laterAttempts = new ArrayList<>(4);
            }
            laterAttempts.add(attempt);
        }

        boolean hasAttempts() {
            return plainFirst || firstAttempt != null;
        }

        /** The attempts in order; empty when there was none. */
        List<DeliveryAttempt> attempts() {
            if (!hasAttempts()) {
                return List.of();
            }
            DeliveryAttempt first = plainFirst
                    ? new DeliveryAttempt(id, firstNumber, Instant.ofEpochSecond(firstStartSecond, firstStartNano),
                            Duration.ofNanos(firstNanos), DeliveryResult.Outcome.SENT, OptionalInt.empty(), Optional.empty(),
                            Optional.empty())
                    : firstAttempt;
            if (laterAttempts == null) {
                return List.of(first);
            }
            List<DeliveryAttempt> all = new ArrayList<>(1 + laterAttempts.size());
            all.add(first);
            all.addAll(laterAttempts);
            return List.copyOf(all);
        }

        Instant updatedAt() {
            if (updatedAt != null) {
                return updatedAt;
            }
            if (laterAttempts == null && plainFirst) {
                return Instant.ofEpochSecond(firstStartSecond, firstStartNano + firstNanos);
            }
            DeliveryAttempt last = laterAttempts == null ? firstAttempt : laterAttempts.get(laterAttempts.size() - 1);
            return last.startedAt().plus(last.duration());
        }

        DeliveryRecord snapshot() {
            return new DeliveryRecord(id, notificationId, channel, target, priority, status, attempts,
                    Optional.ofNullable(nextAttemptAt), Optional.ofNullable(lastError), createdAt, updatedAt());
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
     * One user's inbox; guarded by its own monitor. The notifications sit in an array sorted
     * oldest first by (createdAt, id), because new ones almost always go at the end: an append,
     * where a tree would walk (and miss the cache on) a path of nodes for every publish. There
     * is no per-item object and no id index: an id is found through the store's notification
     * map (its createdAt) and a binary search, and read times live in a parallel array that
     * exists only once something was read.
     */
    private static final class UserInbox {
        private Notification[] items = new Notification[4];
        private Instant[] readAt; // null while nothing was ever read; else parallel to items
        private int size;
        private long unread;
        private boolean dropped; // emptied by a prune and on its way out of the map

        /** Adds the notification (once); false when this inbox was dropped and a fresh one must take it. */
        synchronized boolean add(Notification n) {
            if (dropped) {
                return false;
            }
            int pos;
            if (size == 0 || compare(items[size - 1], n.createdAt(), n.id()) < 0) {
                pos = size;
            } else {
                int at = search(n.createdAt(), n.id());
                if (at >= 0) {
                    return true;
                }
                pos = -(at + 1);
            }
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
                if (readAt != null) {
                    readAt = Arrays.copyOf(readAt, size * 2);
                }
            }
            System.arraycopy(items, pos, items, pos + 1, size - pos);
            items[pos] = n;
            if (readAt != null) {
                System.arraycopy(readAt, pos, readAt, pos + 1, size - pos);
                readAt[pos] = null;
            }
            size++;
            unread++;
            return true;
        }

        private static int compare(Notification a, Instant createdAt, String id) {
            int c = a.createdAt().compareTo(createdAt);
            return c != 0 ? c : a.id().compareTo(id);
        }

        /** Binary search by (createdAt, id): the index if present, else {@code -(insertion point) - 1}. */
        private int search(Instant createdAt, String id) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = compare(items[mid], createdAt, id);
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

        /** Where this inbox holds the notification with that id, or -1. */
        private int indexOf(String id, Function<String, Notification> lookup) {
            Notification n = id == null ? null : lookup.apply(id);
            if (n == null) {
                return -1;
            }
            int at = search(n.createdAt(), n.id());
            return at >= 0 ? at : -1;
        }

        private Instant readAt(int i) {
            return readAt == null ? null : readAt[i];
        }

        private void setReadAt(int i, Instant at) {
            if (readAt == null) {
                if (at == null) {
                    return;
                }
                readAt = new Instant[items.length];
            }
            readAt[i] = at;
        }

        synchronized Page<InboxItem> page(InboxQuery q) {
            int from = size - 1;
            if (q.cursor().isPresent()) {
                Cursor c = decodeCursor(q.cursor().get());
                int at = search(c.createdAt, c.id);
                from = at >= 0 ? at - 1 : -(at + 1) - 1;
            }
            List<InboxItem> page = new ArrayList<>(Math.min(q.limit(), 64));
            Notification last = null;
            boolean more = false;
            for (int i = from; i >= 0; i--) {
                Instant read = readAt(i);
                if (q.unreadOnly() && read != null) {
                    continue;
                }
                if (page.size() == q.limit()) {
                    more = true;
                    break;
                }
                page.add(new InboxItem(q.userId(), items[i], read != null, Optional.ofNullable(read)));
                last = items[i];
            }
            return new Page<>(page, more ? Optional.of(encodeCursor(last)) : Optional.empty());
        }

        synchronized InboxStats stats() {
            return new InboxStats(size, unread, size - unread);
        }

        synchronized int mark(Collection<String> ids, boolean read, Instant now, Function<String, Notification> lookup) {
            int changed = 0;
            for (String id : new LinkedHashSet<>(ids)) {
                int i = indexOf(id, lookup);
                if (i >= 0 && (readAt(i) != null) != read) {
                    setReadAt(i, read ? now : null);
                    unread += read ? -1 : 1;
                    changed++;
                }
            }
            return changed;
        }

        synchronized int markAllRead(Instant now) {
            int changed = 0;
            for (int i = 0; i < size; i++) {
                if (readAt(i) == null) {
                    setReadAt(i, now);
                    changed++;
                }
            }
            unread = 0;
            return changed;
        }

        /** Deletes one notification; returns whether the inbox is now empty, in which case it is dropped. */
        synchronized boolean deleteOne(Notification n) {
            int at = search(n.createdAt(), n.id());
            if (at >= 0) {
                removeAt(at);
            }
            dropped = size == 0;
            return dropped;
        }

        synchronized int delete(Collection<String> ids, Function<String, Notification> lookup) {
            int deleted = 0;
            for (String id : new LinkedHashSet<>(ids)) {
                int i = indexOf(id, lookup);
                if (i >= 0) {
                    removeAt(i);
                    deleted++;
                }
            }
            return deleted;
        }

        private void removeAt(int pos) {
            if (readAt(pos) == null) {
                unread--;
            }
            System.arraycopy(items, pos + 1, items, pos, size - pos - 1);
            items[size - 1] = null;
            if (readAt != null) {
                System.arraycopy(readAt, pos + 1, readAt, pos, size - pos - 1);
                readAt[size - 1] = null;
            }
            size--;
        }

        // A keyset cursor (createdAt + id of the last item) so pages never repeat or skip items
        // when newer notifications arrive between two page requests.
        private static String encodeCursor(Notification last) {
            return last.createdAt().getEpochSecond() + "." + last.createdAt().getNano() + "." + last.id();
        }

        private static Cursor decodeCursor(String cursor) {
            String[] parts = cursor.split("\\.", 3);
            try {
                if (parts.length == 3) {
                    return new Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
                }
            } catch (RuntimeException e) {
                // reported below
            }
            throw new IllegalArgumentException("cursor '" + cursor + "' was not handed out by this store");
        }

        private record Cursor(Instant createdAt, String id) {
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
