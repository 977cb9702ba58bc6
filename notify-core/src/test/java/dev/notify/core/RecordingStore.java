package dev.notify.core;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.core.memory.InMemoryNotificationStore;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A store for tests of the engine's parts: the in-memory store underneath, with every attempt
 * recorded and every claim and hand-back listed, and a hook that runs just before an attempt is stored.
 */
final class RecordingStore implements NotificationStore {

    /** One {@link #recordAttempt} call. */
    record Recorded(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
    }

    /** One {@link #release} call. */
    record Released(long deliveryId, Instant dueAt) {
    }

    final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    final List<Released> released = new CopyOnWriteArrayList<>();
    final List<Long> claimed = new CopyOnWriteArrayList<>();
    /** How many times the event log was read. */
    final java.util.concurrent.atomic.AtomicInteger logReads = new java.util.concurrent.atomic.AtomicInteger();
    volatile Consumer<DeliveryAttempt> beforeRecord = a -> { };
    private final InMemoryNotificationStore store;

    RecordingStore(Clock clock) {
        this.store = new InMemoryNotificationStore(clock);
    }

    @Override
    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
        beforeRecord.accept(attempt);
        recorded.add(new Recorded(attempt, status, nextAttemptAt));
        return store.recordAttempt(attempt, status, nextAttemptAt);
    }

    @Override
    public void release(long deliveryId, Instant dueAt) {
        released.add(new Released(deliveryId, dueAt));
        store.release(deliveryId, dueAt);
    }

    // ---- the rest as the in-memory store does it ----------------------------------------------------

    @Override
    public PublishResult save(PublishRequest request) {
        return store.save(request);
    }

    @Override
    public List<PublishResult> saveAll(List<PublishRequest> requests) {
        return store.saveAll(requests);
    }

    @Override
    public Optional<Notification> find(String notificationId) {
        return store.find(notificationId);
    }

    @Override
    public EventLogSlice readAll(long afterSequence, int limit) {
        logReads.incrementAndGet();
        return store.readAll(afterSequence, limit);
    }

    @Override
    public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        return store.readAfter(afterSequence, userId, topics, limit);
    }

    @Override
    public long latestSequence() {
        return store.latestSequence();
    }

    @Override
    public List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease) {
        List<DeliveryRecord> out = store.claimDue(now, limit, lease);
        out.forEach(d -> claimed.add(d.id()));
        return out;
    }

    @Override
    public Optional<DeliveryRecord> delivery(long deliveryId) {
        return store.delivery(deliveryId);
    }

    @Override
    public List<DeliveryRecord> deliveries(String notificationId) {
        return store.deliveries(notificationId);
    }

    @Override
    public Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit) {
        return store.deliveriesTo(channel, target, cursor, limit);
    }

    @Override
    public List<DeliveryAttempt> attempts(long deliveryId) {
        return store.attempts(deliveryId);
    }

    @Override
    public List<DeliveryRecord> cancel(String notificationId) {
        return store.cancel(notificationId);
    }

    @Override
    public Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
        return store.deadLetters(cursor, limit);
    }

    @Override
    public Optional<DeliveryRecord> replay(long deliveryId, Instant now) {
        return store.replay(deliveryId, now);
    }

    @Override
    public Map<DeliveryStatus, Long> countByStatus() {
        return store.countByStatus();
    }

    @Override
    public Page<InboxItem> inbox(InboxQuery query) {
        return store.inbox(query);
    }

    @Override
    public InboxStats stats(String userId) {
        return store.stats(userId);
    }

    @Override
    public int mark(String userId, Collection<String> notificationIds, boolean read, Instant now) {
        return store.mark(userId, notificationIds, read, now);
    }

    @Override
    public int markAllRead(String userId, Instant now) {
        return store.markAllRead(userId, now);
    }

    @Override
    public int delete(String userId, Collection<String> notificationIds) {
        return store.delete(userId, notificationIds);
    }

    @Override
    public long prune(Instant now, Retention retention) {
        return store.prune(now, retention);
    }

    @Override
    public WebhookEndpointStore webhookEndpoints() {
        return store.webhookEndpoints();
    }

    @Override
    public String describe() {
        return "recording " + store.describe();
    }

    @Override
    public void close() {
        store.close();
    }
}
