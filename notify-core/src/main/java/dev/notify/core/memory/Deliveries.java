package dev.notify.core.memory;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.Priority;
import dev.notify.api.spi.DeliveryClaim;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The deliveries: their rows, the queue of due ones and claims from it, attempts, retries, dead
 * letters, cancellation, replay, the per-status counts, and which of them retention removes.
 *
 * <p>Owns the delivery ids, the {@link DeliveryTable} of {@link DeliveryState}s, the due queue
 * (a concurrent skip list ordered by priority descending, due time ascending, id ascending, so a
 * claim costs O(log n) per delivery), the per-(channel, target) id lists and the dead letters;
 * leases go through {@link Leases}. It reads the notification table (a notification's block of
 * delivery ids) and calls no other area: {@link Publisher} calls it to create and prune.
 *
 * <p>No global lock: each delivery is guarded by its own monitor, and every change of its
 * status, its place in the due queue or its lease happens while holding it. A queue key left
 * behind by a concurrent change is never claimed, because a claim takes only the delivery's
 * current key.
 */
final class Deliveries {

    private static final Priority[] BY_URGENCY = {Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW};

    private final Clock clock;
    private final StringKeyedTable<StoredNotification> notifications;
    private final AtomicLong lastId = new AtomicLong();
    // ids are dense and increasing, so an array indexed by id: no boxed key, no hash node, no rehashing
    private final DeliveryTable byId = new DeliveryTable();
    // channel -> target -> ids; two levels so that a lookup needs no key object
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, TargetIds>> deliveriesByTarget = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<DueKey> due = new ConcurrentSkipListSet<>();
    private final Leases leases = new Leases();
    private final ConcurrentSkipListSet<Long> deadLetters = new ConcurrentSkipListSet<>(Comparator.reverseOrder());
    private final EnumMap<DeliveryStatus, LongAdder> statusCounts = new EnumMap<>(DeliveryStatus.class);

    /** Deliveries of the notifications in {@code notifications}; {@code clock} stamps cancellations. */
    Deliveries(Clock clock, StringKeyedTable<StoredNotification> notifications) {
        this.clock = clock;
        this.notifications = notifications;
        for (DeliveryStatus s : DeliveryStatus.values()) {
            statusCounts.put(s, new LongAdder());
        }
    }

    /**
     * Reserves a block of {@code count} ids for one notification's deliveries, so the notification
     * needs no id list; returns the first (0 for none).
     */
    long reserveIds(int count) {
        return count == 0 ? 0 : lastId.getAndAdd(count) + 1;
    }

    /** Creates the request's deliveries in the ids reserved for it: leased when due now and the request has a lease, else due. */
    List<DeliveryRecord> create(PublishRequest r, StoredNotification stored) {
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
                byId.put(s);
                addToTarget(nd.channel(), nd.target(), s.id);
                if (nd.suppressedBecause().isPresent()) {
                    // a preference suppressed it: recorded, never due
                    s.status = DeliveryStatus.CANCELLED;
                    s.nextAttemptAt = null;
                    s.lastError = nd.suppressedBecause().get();
                    statusCounts.get(DeliveryStatus.CANCELLED).increment();
                } else if (nd.heldBecause().isPresent()) {
                    // quiet hours hold it: due when they end, and the record says why meanwhile
                    s.lastError = nd.heldBecause().get();
                    statusCounts.get(DeliveryStatus.PENDING).increment();
                    makeDue(s);
                } else if (lease != null && !nd.dueAt().isAfter(createdAt)) {
                    statusCounts.get(DeliveryStatus.PENDING).increment();
                    leases.take(s, lease);
                } else {
                    statusCounts.get(DeliveryStatus.PENDING).increment();
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

    // ---- claims, attempts and the rest of a delivery's life

    List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(lease, "lease");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        leases.sweep(now, (bucket, id) -> reclaim(bucket, id, now));
        List<DeliveryRecord> claimed = new ArrayList<>(Math.min(limit, 64));
        for (Priority p : BY_URGENCY) {
            // within one priority the set is ordered by due time, so this range holds exactly the due ones
            NavigableSet<DueKey> dueNow = due.subSet(DueKey.first(p), true, DueKey.last(p, now), true);
            for (Iterator<DueKey> it = dueNow.iterator(); it.hasNext() && claimed.size() < limit; ) {
                DueKey k = it.next();
                DeliveryState s = byId.get(k.id);
                if (s == null) {
                    continue;
                }
                synchronized (s) {
                    if (s.dueKey == k && due.remove(k)) {
                        s.dueKey = null;
                        leases.take(s, lease);
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

    private void reclaim(LeaseBucket bucket, long id, Instant now) {
        DeliveryState s = byId.get(id);
        if (s == null) {
            return;
        }
        synchronized (s) {
            // an id stays in its bucket after its lease is released: only a lease still held in this bucket counts
            if (s.leaseBucket == bucket && !s.leaseUntil.isAfter(now)) {
                leases.end(s);
                if (s.isActive()) {
                    makeDue(s);
                }
            }
        }
    }

    Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
        return recordAttempt(attempt, status, nextAttemptAt, null);
    }

    /** With a claim, fenced: changes nothing unless the delivery is still held under it (or was cancelled meanwhile). */
    Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt,
                                           DeliveryClaim claim) {
        Objects.requireNonNull(attempt, "attempt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        if (status != DeliveryStatus.SENT && status != DeliveryStatus.FAILED && status != DeliveryStatus.RETRYING) {
            throw new IllegalArgumentException("an attempt ends as sent, failed or retrying, not " + status.wireName());
        }
        if (status == DeliveryStatus.RETRYING && nextAttemptAt.isEmpty()) {
            throw new IllegalArgumentException("a retrying delivery needs the time of its next attempt");
        }
        DeliveryState s = byId.get(attempt.deliveryId());
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            if (s.removed || (s.status != DeliveryStatus.CANCELLED && !s.heldUnder(claim))) {
                return Optional.empty();
            }
            s.addAttempt(attempt);
            s.attempts = attempt.number();
            s.deferred = false;
            if (attempt.error().isPresent()) {
                s.lastError = attempt.error().get();
            }
            s.updatedAt = null; // the end of this attempt, computed when asked for
            leases.end(s);
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

    void release(long deliveryId, Instant dueAt) {
        release(deliveryId, dueAt, null);
    }

    /** With a claim, fenced: releases only a delivery still held under it. */
    boolean release(long deliveryId, Instant dueAt, DeliveryClaim claim) {
        Objects.requireNonNull(dueAt, "dueAt");
        DeliveryState s = byId.get(deliveryId);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            if (s.removed || !s.isActive() || !s.heldUnder(claim)) {
                return false;
            }
            leases.end(s);
            unschedule(s);
            s.nextAttemptAt = dueAt;
            s.deferred = true;
            makeDue(s);
            return true;
        }
    }

    /**
     * Makes the deferred deliveries of the channel to the target that are due after {@code now} due
     * now, at most {@code limit}, those due soonest first.
     */
    int bringForward(String channel, String target, Instant now, int limit) {
        Objects.requireNonNull(now, "now");
        ConcurrentHashMap<String, TargetIds> byTarget = deliveriesByTarget.get(Objects.requireNonNull(channel, "channel"));
        TargetIds ids = byTarget == null ? null : byTarget.get(Objects.requireNonNull(target, "target"));
        if (ids == null) {
            return 0;
        }
        // each with its time read under its lock, so that the sort sees times that do not change under it
        java.util.List<java.util.Map.Entry<Instant, DeliveryState>> found = new java.util.ArrayList<>();
        for (long id : ids.toArray()) {
            DeliveryState s = byId.get(id);
            if (s != null) {
                synchronized (s) {
                    if (deferredAfter(s, now)) {
                        found.add(java.util.Map.entry(s.nextAttemptAt, s));
                    }
                }
            }
        }
        if (found.size() > limit) {
            found.sort(java.util.Map.Entry.comparingByKey()); // the soonest first
        }
        int n = 0;
        for (java.util.Map.Entry<Instant, DeliveryState> e : found) {
            if (n == limit) {
                break;
            }
            DeliveryState s = e.getValue();
            synchronized (s) {
                if (deferredAfter(s, now)) { // still, under the lock
                    unschedule(s);
                    s.nextAttemptAt = now;
                    makeDue(s);
                    n++;
                }
            }
        }
        return n;
    }

    /** Deferred (released without an attempt), active, not leased and due after {@code now}; under the state's lock. */
    private static boolean deferredAfter(DeliveryState s, Instant now) {
        return !s.removed && s.deferred && s.isActive() && s.leaseBucket == null && s.nextAttemptAt != null
                && s.nextAttemptAt.isAfter(now);
    }

    Optional<DeliveryRecord> delivery(long deliveryId) {
        DeliveryState s = byId.get(deliveryId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return s.removed ? Optional.empty() : Optional.of(s.snapshot());
        }
    }

    List<DeliveryRecord> deliveries(String notificationId) {
        StoredNotification n = notificationId == null ? null : notifications.get(notificationId);
        if (n == null || n.deliveryCount == 0) {
            return List.of();
        }
        List<DeliveryRecord> out = new ArrayList<>(n.deliveryCount);
        for (long id = n.firstDelivery; id < n.firstDelivery + n.deliveryCount; id++) {
            delivery(id).ifPresent(out::add); // empty once retention pruned it
        }
        return out;
    }

    Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit) {
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

    List<DeliveryAttempt> attempts(long deliveryId) {
        DeliveryState s = byId.get(deliveryId);
        if (s == null) {
            return List.of();
        }
        synchronized (s) {
            return s.removed ? List.of() : s.attempts();
        }
    }

    List<DeliveryRecord> cancel(String notificationId) {
        StoredNotification n = notificationId == null ? null : notifications.get(notificationId);
        if (n == null || n.deliveryCount == 0) {
            return List.of();
        }
        Instant now = clock.instant();
        List<DeliveryRecord> cancelled = new ArrayList<>();
        for (long id = n.firstDelivery; id < n.firstDelivery + n.deliveryCount; id++) {
            DeliveryState s = byId.get(id);
            if (s == null) {
                continue; // pruned meanwhile
            }
            synchronized (s) {
                if (!s.removed && s.isActive()) {
                    leases.end(s);
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

    Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
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

    Optional<DeliveryRecord> replay(long deliveryId, Instant now) {
        Objects.requireNonNull(now, "now");
        DeliveryState s = byId.get(deliveryId);
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

    Map<DeliveryStatus, Long> countByStatus() {
        Map<DeliveryStatus, Long> counts = new EnumMap<>(DeliveryStatus.class);
        statusCounts.forEach((status, n) -> counts.put(status, n.sum()));
        return counts;
    }

    // The helpers below run while holding the delivery's monitor.

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

    // ---- retention

    /**
     * Removes the deliveries of each expired notification unless one of them is pending or
     * retrying, handing the notifications whose deliveries are all gone to {@code allGone}; then
     * removes sent and cancelled deliveries last updated before {@code sentCutoff}.
     */
    void prune(List<StoredNotification> expired, Instant sentCutoff, Consumer<StoredNotification> allGone) {
        Map<ChannelTarget, Set<Long>> goneByTarget = new HashMap<>();
        for (StoredNotification st : expired) {
            if (anyActive(st)) {
                continue; // still being delivered: the engine needs the notification for the next attempt
            }
            boolean gone = true;
            for (long id = st.firstDelivery; id < st.firstDelivery + st.deliveryCount; id++) {
                DeliveryState s = byId.get(id);
                if (s != null && !removeDelivery(s, null, goneByTarget)) {
                    gone = false;
                }
            }
            if (!gone) {
                continue; // replayed meanwhile
            }
            allGone.accept(st);
        }

        byId.forEach(s -> removeDelivery(s, sentCutoff, goneByTarget));
        byId.dropEmptyChunks();

        goneByTarget.forEach((target, gone) -> {
            ConcurrentHashMap<String, TargetIds> byTarget = deliveriesByTarget.get(target.channel());
            if (byTarget != null) {
                byTarget.computeIfPresent(target.target(), (k, t) -> t.removeAll(gone) ? null : t);
            }
        });
    }

    private boolean anyActive(StoredNotification st) {
        for (long id = st.firstDelivery; id < st.firstDelivery + st.deliveryCount; id++) {
            DeliveryState s = byId.get(id);
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
            leases.end(s);
            unschedule(s);
            if (s.status == DeliveryStatus.FAILED) {
                deadLetters.remove(s.id);
            }
            statusCounts.get(s.status).decrement();
            byId.remove(s);
            goneByTarget.computeIfAbsent(new ChannelTarget(s.channel, s.target), k -> new HashSet<>()).add(s.id);
            return true;
        }
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }

    private record ChannelTarget(String channel, String target) {
    }
}
