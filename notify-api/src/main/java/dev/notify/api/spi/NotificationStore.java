package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Durable state: notifications, deliveries and their attempts, the event log, inboxes, idempotency
 * keys and webhook endpoints. The in-memory store of {@code notify-core} and the JDBC store of
 * {@code notify-store-jdbc} implement it; both pass the test kit's {@code NotificationStoreContract}.
 *
 * <p>Implementations are thread-safe. Every method that takes a user id is scoped to that user:
 * ids of other users' notifications behave as if they did not exist. Unknown ids are not errors:
 * they are not found, not counted and not changed. Storage failures are thrown as
 * {@link StoreException}, never as checked exceptions.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface NotificationStore extends EventLog, DeliveryLog, AutoCloseable {

    // ---- publishing ------------------------------------------------------------------------

    /**
     * Stores one publish atomically: all of it, or nothing and an exception. When the
     * notification's idempotency key was already used in the same scope within the retention
     * window, stores nothing and returns the first notification with {@code duplicate = true}.
     */
    PublishResult save(PublishRequest request);

    /** Stores several publishes in one transaction: all of them, or none. Results in request order. */
    List<PublishResult> saveAll(List<PublishRequest> requests);

    /** The notification with this id. */
    Optional<Notification> find(String notificationId);

    /**
     * Every event-log entry after {@code afterSequence}, whatever its audience, oldest first, at
     * most {@code limit}. The engine tails the log with it to push entries to live subscribers,
     * including entries that other nodes sharing the store appended. A store shared by several
     * processes must only return an entry once every lower sequence that will ever be visible is
     * visible, so a tailer never skips an entry that commits late.
     *
     * @throws IllegalArgumentException when {@code afterSequence} is negative or {@code limit} not positive
     */
    dev.notify.api.EventLogSlice readAll(long afterSequence, int limit);

    // ---- deliveries -------------------------------------------------------------------------

    /**
     * Claims up to {@code limit} due deliveries (status pending or retrying, next attempt at or
     * before {@code now}, not leased or lease lapsed), highest priority first, then oldest due
     * first, and leases them to {@code lease.owner()} until {@code lease.until()}. Concurrent
     * claimers never receive the same delivery while its lease holds.
     */
    List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease);

    /**
     * Records one attempt and moves the delivery to {@code status}: {@code SENT} or {@code FAILED}
     * (terminal), {@code RETRYING} with {@code nextAttemptAt}, and releases the lease. The attempt
     * counter becomes {@code attempt.number()}. A delivery that was cancelled meanwhile keeps its
     * status (the attempt is still logged).
     *
     * @return the updated record, or empty when there is no such delivery
     */
    Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt);

    /** Releases a lease without an attempt (a node handing back work it will not do), due again at {@code dueAt}. */
    void release(long deliveryId, Instant dueAt);

    /**
     * {@link #recordAttempt(DeliveryAttempt, DeliveryStatus, Optional)}, fenced: changes the delivery
     * only while it is still held under {@code claim} (leased to its owner with its token, its attempt
     * count unchanged), checked in the same atomic step as the write. A delivery cancelled meanwhile
     * keeps its status and logs the attempt, as without fencing. The default does not fence (stores
     * written before fencing existed); both stores of Notify fence.
     *
     * @return the updated record, or empty when there is no such delivery or the claim was lost
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    default Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt,
                                                   DeliveryClaim claim) {
        return recordAttempt(attempt, status, nextAttemptAt);
    }

    /**
     * {@link #release(long, Instant)}, fenced like {@link #recordAttempt(DeliveryAttempt, DeliveryStatus, Optional, DeliveryClaim)}.
     *
     * @return whether the delivery was released (false: no such delivery, or the claim was lost)
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    default boolean release(long deliveryId, Instant dueAt, DeliveryClaim claim) {
        release(deliveryId, dueAt);
        return true;
    }

    /** The delivery with this id. */
    Optional<DeliveryRecord> delivery(long deliveryId);

    /** Every delivery of a notification. */
    List<DeliveryRecord> deliveries(String notificationId);

    /** The deliveries of one channel to one target, newest first (a webhook endpoint's log). */
    @Override
    Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit);

    /** Every attempt of a delivery, in order. */
    @Override
    List<DeliveryAttempt> attempts(long deliveryId);

    /**
     * Cancels every delivery of the notification that is pending or retrying.
     *
     * @return the cancelled deliveries
     */
    List<DeliveryRecord> cancel(String notificationId);

    /** Dead letters (status failed), newest first. */
    Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit);

    /**
     * Replays a dead letter: status pending, attempts reset, due at {@code now}; its history stays.
     *
     * @return the replayed delivery, or empty when there is no failed delivery with this id
     */
    Optional<DeliveryRecord> replay(long deliveryId, Instant now);

    /** How many deliveries are in each status, for metrics. */
    java.util.Map<DeliveryStatus, Long> countByStatus();

    // ---- inbox ------------------------------------------------------------------------------

    /** A page of a user's inbox, newest first. */
    Page<InboxItem> inbox(InboxQuery query);

    /** A user's counts. */
    InboxStats stats(String userId);

    /** Marks the user's notifications read or unread; returns how many changed state. */
    int mark(String userId, Collection<String> notificationIds, boolean read, Instant now);

    /** Marks all of the user's notifications read; returns how many changed state. */
    int markAllRead(String userId, Instant now);

    /** Deletes notifications from the user's inbox; returns how many were deleted. */
    int delete(String userId, Collection<String> notificationIds);

    // ---- retention and the rest ------------------------------------------------------------

    /**
     * Prunes what is past its {@link Retention}: event-log entries, idempotency keys, sent and
     * cancelled deliveries with their attempts, and old notifications with their inbox items,
     * deliveries and attempts (never a notification with a pending or retrying delivery, and never
     * a pending or retrying delivery). Readers that ask for entries after a pruned sequence get
     * {@link dev.notify.api.EventLogSlice#pruned()} = true.
     *
     * @return how many event-log entries were removed
     */
    long prune(Instant now, Retention retention);

    // ---- several nodes ------------------------------------------------------------------------

    /**
     * Writes this node's row of the node registry (every few seconds, and once with
     * {@code stopped = true} at a clean shutdown). A store that can serve only one node (embedded H2)
     * throws {@link StoreException} here when another live node already uses it, saying why.
     * The default keeps no registry.
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    default void heartbeat(NodeStatus status) {
    }

    /** The node registry, live and gone nodes alike, by node id. The default keeps none. */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    default List<NodeStatus> nodes() {
        return List.of();
    }

    /**
     * Makes {@code owner} the one node that runs {@code task} (such as pruning) until {@code now + term},
     * when no other node holds it beyond {@code now}; true when {@code owner} holds it now. Nodes sharing
     * the store call it before a cluster-wide chore so that it runs once per cluster, not once per node.
     * The default (a store of one process) always answers true.
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    default boolean tryLead(String task, String owner, Instant now, Duration term) {
        return true;
    }

    /** The webhook endpoint registry. */
    WebhookEndpointStore webhookEndpoints();

    /**
     * The users' preferences. A store written before preferences existed keeps none: the default
     * refuses, and the engine then applies no preferences.
     *
     * @throws UnsupportedOperationException when this store keeps no preferences
     */
    default PreferenceStore preferences() {
        throw new UnsupportedOperationException(describe() + " keeps no user preferences");
    }

    /** A short description for logs, such as {@code "jdbc:postgresql://db/notify"} (never with a password). */
    String describe();

    /** Releases connections and threads. Never throws. */
    @Override
    void close();

    /** The default lease length a claimer uses. */
    Duration DEFAULT_LEASE = Duration.ofSeconds(60);
}
