package dev.notify.core.memory;

import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishing: a request becomes a stored notification, its idempotency key, inbox items,
 * event-log entries and deliveries, all or nothing; and retention of old notifications.
 *
 * <p>Owns the notification table (each notification with the block of delivery ids reserved for
 * it; the other areas only read it) and the idempotency keys. It calls {@link EventLogTable},
 * {@link Inboxes} and {@link Deliveries} to write their parts of a publish and to remove a pruned
 * notification's inbox items and deliveries; none of them calls it.
 *
 * <p>A publish is atomic in two phases. The first reserves the idempotency keys, the notification
 * ids and the delivery ids in lock-free maps; it is the only phase that can fail (a duplicate id),
 * and it undoes itself. The second cannot fail: it appends every entry of the batch under the
 * event log's lock, then fills inboxes and creates deliveries.
 */
final class Publisher {

    private final StringKeyedTable<StoredNotification> notifications;
    private final ConcurrentHashMap<IdempotencyKey, Notification> idempotencyKeys = new ConcurrentHashMap<>();
    private final EventLogTable eventLog;
    private final Inboxes inboxes;
    private final Deliveries deliveries;

    Publisher(StringKeyedTable<StoredNotification> notifications, EventLogTable eventLog, Inboxes inboxes,
              Deliveries deliveries) {
        this.notifications = notifications;
        this.eventLog = eventLog;
        this.inboxes = inboxes;
        this.deliveries = deliveries;
    }

    public List<PublishResult> saveAll(List<PublishRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        int n = requests.size();
        if (n == 0) {
            return List.of();
        }
        // Phase 1 reserves ids and keys; it is the only phase that can fail, and undoes itself.
        Notification[] duplicateOf = new Notification[n];
        StoredNotification[] stored = new StoredNotification[n];
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
                StoredNotification st = new StoredNotification(notification, deliveries.reserveIds(count), count);
                if (notifications.putIfAbsent(st) != null) {
                    throw new IllegalArgumentException("a notification with id " + notification.id() + " is already stored");
                }
                stored[i] = st;
            }
        } catch (RuntimeException e) {
            for (StoredNotification st : stored) {
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
        List<List<EventLogEntry>> events = eventLog.append(requests, duplicateOf);
        List<PublishResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PublishRequest r = requests.get(i);
            if (duplicateOf[i] != null) {
                results.add(new PublishResult(duplicateOf[i], true, List.of(), List.of()));
                continue;
            }
            Notification notification = r.notification();
            for (String user : notification.recipients()) {
                if (r.inInbox(user)) {
                    inboxes.add(user, notification, r.collapseMarksUnread());
                }
            }
            results.add(new PublishResult(notification, false, events.get(i), deliveries.create(r, stored[i])));
        }
        return results;
    }

    Optional<Notification> find(String notificationId) {
        StoredNotification s = notificationId == null ? null : notifications.get(notificationId);
        return s == null ? Optional.empty() : Optional.of(s.notification);
    }

    /**
     * Removes notifications past {@link Retention#notificationMaxAge()} with their inbox items and
     * deliveries, unless one of those deliveries is pending or retrying, and sent and cancelled
     * deliveries past {@link Retention#deliveryMaxAge()}. Returns the ids of the removed notifications.
     */
    Set<String> pruneNotifications(Instant now, Retention retention) {
        Instant notificationCutoff = now.minus(retention.notificationMaxAge());
        List<StoredNotification> expired = new ArrayList<>();
        for (StoredNotification st : notifications.values()) {
            if (st.notification.createdAt().isBefore(notificationCutoff)) {
                expired.add(st);
            }
        }
        Set<String> removed = new HashSet<>();
        deliveries.prune(expired, now.minus(retention.deliveryMaxAge()), st -> {
            notifications.remove(st);
            removed.add(st.notification.id());
            inboxes.removeEverywhere(st.notification);
        });
        return removed;
    }

    /** Forgets the idempotency keys past {@link Retention#idempotencyWindow()} and those of the {@code removed} notifications. */
    void pruneIdempotencyKeys(Instant now, Retention retention, Set<String> removed) {
        Instant keyCutoff = now.minus(retention.idempotencyWindow());
        idempotencyKeys.values().removeIf(n -> n.createdAt().isBefore(keyCutoff) || removed.contains(n.id()));
    }

    private record IdempotencyKey(String scope, String key) {
    }
}
