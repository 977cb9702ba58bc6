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
import dev.notify.api.spi.DeliveryClaim;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PreferenceStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import dev.notify.api.spi.WebhookEndpointStore;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * <p>This class is a facade over the store's areas, package-private classes of this package,
 * as {@code notify-store-jdbc} is over its tables: {@code Publisher} (notifications, idempotency
 * keys and the publish across areas), {@code Deliveries} (claims, {@code Leases}, attempts, dead
 * letters), {@code EventLogTable}, {@code Inboxes} and {@code WebhookEndpoints}.
 *
 * <pre>{@code
 * NotificationStore store = new InMemoryNotificationStore(Clock.systemUTC());
 * }</pre>
 */
public final class InMemoryNotificationStore implements NotificationStore {

    private final Publisher publisher;
    private final Deliveries deliveries;
    private final EventLogTable eventLog = new EventLogTable();
    private final Inboxes inboxes;
    private final StoredPreferences preferences = new StoredPreferences();
    private final WebhookEndpoints webhooks = new WebhookEndpoints();

    /** A store that stamps the few times the SPI does not pass in with the system UTC clock. */
    public InMemoryNotificationStore() {
        this(Clock.systemUTC());
    }

    /**
     * A store that stamps the few times the SPI does not pass in (when a delivery was cancelled)
     * with {@code clock}.
     */
    public InMemoryNotificationStore(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        StringKeyedTable<StoredNotification> notifications = new StringKeyedTable<>(st -> st.notification.id());
        this.deliveries = new Deliveries(clock, notifications);
        this.inboxes = new Inboxes(id -> {
            StoredNotification st = notifications.get(id);
            return st == null ? null : st.notification;
        });
        this.publisher = new Publisher(notifications, eventLog, inboxes, deliveries);
    }

    // ---- publishing ------------------------------------------------------------------------

    @Override
    public PublishResult save(PublishRequest request) {
        Objects.requireNonNull(request, "request");
        return publisher.saveAll(List.of(request)).get(0);
    }

    @Override
    public List<PublishResult> saveAll(List<PublishRequest> requests) {
        return publisher.saveAll(requests);
    }

    @Override
    public Optional<Notification> find(String notificationId) {
        return publisher.find(notificationId);
    }

    // ---- deliveries -------------------------------------------------------------------------

    @Override
    public List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease) {
        return deliveries.claimDue(now, limit, lease);
    }

    @Override
    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
        return deliveries.recordAttempt(attempt, status, nextAttemptAt);
    }

    @Override
    public void release(long deliveryId, Instant dueAt) {
        deliveries.release(deliveryId, dueAt);
    }

    @Override
    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt,
                                                  DeliveryClaim claim) {
        return deliveries.recordAttempt(attempt, status, nextAttemptAt, Objects.requireNonNull(claim, "claim"));
    }

    @Override
    public boolean release(long deliveryId, Instant dueAt, DeliveryClaim claim) {
        return deliveries.release(deliveryId, dueAt, Objects.requireNonNull(claim, "claim"));
    }

    @Override
    public int bringForward(String channel, String target, Instant now) {
        return deliveries.bringForward(channel, target, now, Integer.MAX_VALUE);
    }

    @Override
    public int bringForward(String channel, String target, Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return deliveries.bringForward(channel, target, now, limit);
    }

    @Override
    public Optional<DeliveryRecord> delivery(long deliveryId) {
        return deliveries.delivery(deliveryId);
    }

    @Override
    public List<DeliveryRecord> deliveries(String notificationId) {
        return deliveries.deliveries(notificationId);
    }

    @Override
    public Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit) {
        return deliveries.deliveriesTo(channel, target, cursor, limit);
    }

    @Override
    public List<DeliveryAttempt> attempts(long deliveryId) {
        return deliveries.attempts(deliveryId);
    }

    @Override
    public List<DeliveryRecord> cancel(String notificationId) {
        return deliveries.cancel(notificationId);
    }

    @Override
    public Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
        return deliveries.deadLetters(cursor, limit);
    }

    @Override
    public Optional<DeliveryRecord> replay(long deliveryId, Instant now) {
        return deliveries.replay(deliveryId, now);
    }

    @Override
    public Map<DeliveryStatus, Long> countByStatus() {
        return deliveries.countByStatus();
    }

    // ---- inbox ------------------------------------------------------------------------------

    @Override
    public Page<InboxItem> inbox(InboxQuery query) {
        return inboxes.inbox(query);
    }

    @Override
    public InboxStats stats(String userId) {
        return inboxes.stats(userId);
    }

    @Override
    public int mark(String userId, Collection<String> notificationIds, boolean read, Instant now) {
        return inboxes.mark(userId, notificationIds, read, now);
    }

    @Override
    public int markAllRead(String userId, Instant now) {
        return inboxes.markAllRead(userId, now);
    }

    @Override
    public int delete(String userId, Collection<String> notificationIds) {
        return inboxes.delete(userId, notificationIds);
    }

    // ---- event log --------------------------------------------------------------------------

    @Override
    public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        return eventLog.readAfter(afterSequence, userId, topics, limit);
    }

    @Override
    public List<EventLogEntry> appendEvents(String notificationId, List<Audience> audiences, Instant at) {
        Optional<Notification> n = find(notificationId);
        if (n.isEmpty() || audiences.isEmpty()) {
            return List.of();
        }
        PublishRequest again = new PublishRequest(n.get(), "", audiences, List.of(), Optional.empty());
        return eventLog.append(List.of(again), new Notification[1]).get(0);
    }

    @Override
    public EventLogSlice readAll(long afterSequence, int limit) {
        return eventLog.readAll(afterSequence, limit);
    }

    @Override
    public long latestSequence() {
        return eventLog.latestSequence();
    }

    // ---- the rest ---------------------------------------------------------------------------

    @Override
    public long prune(Instant now, Retention retention) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(retention, "retention");
        Set<String> removedNotifications = publisher.pruneNotifications(now, retention);
        long removed = eventLog.prune(now, retention);
        publisher.pruneIdempotencyKeys(now, retention, removedNotifications);
        return removed;
    }

    @Override
    public WebhookEndpointStore webhookEndpoints() {
        return webhooks;
    }

    @Override
    public PreferenceStore preferences() {
        return preferences;
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    @Override
    public void close() {
        // nothing to release: no threads, no connections
    }
}
