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

    /**
     * The sequence of the newest entry for {@code audience} below {@code sequence}, 0 when it has
     * none; asked once the entry at {@code sequence} is committed, so that a node carrying that entry
     * to another node can say what came before it for that audience (see
     * {@link ClusterSignal.LiveEntry}). A store shared by several processes answers from what every
     * process appended, like {@link #readAll}.
     *
     * @return the sequence, or -1 when this store cannot tell (the default): the entry is then only signalled
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.5")
    default long sequenceBefore(dev.notify.api.Audience audience, long sequence) {
        return -1;
    }

    /**
     * Appends event-log entries for a notification stored earlier, one per audience, after every
     * entry in the log, durably, as a publish appends them. The engine releases the live event that a
     * user's quiet hours held this way when they end: a new entry, so a client that saw later
     * entries meanwhile still gets it when it resumes, and no client gets it before.
     *
     * @param at when they are appended (the entries' age for pruning counts from then)
     * @return the appended entries, in order; empty when there is no such notification
     * @throws UnsupportedOperationException when this store cannot (the default); the held live
     *         event is then not released, and the inbox still keeps the notification
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
    default List<dev.notify.api.EventLogEntry> appendEvents(String notificationId, List<dev.notify.api.Audience> audiences,
                                                              Instant at) {
        throw new UnsupportedOperationException(describe() + " cannot append event-log entries to a stored notification");
    }

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

    /**
     * Releases a lease without an attempt (a node handing back work it will not do), due again at
     * {@code dueAt}. Need not be durable when it returns, like a claim: a release lost in a crash
     * leaves the lease in place, and its expiry hands the delivery out again.
     */
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

    /**
     * Makes the <em>deferred</em> deliveries of {@code channel} to {@code target} due at {@code now}:
     * those released without an attempt ({@link #release(long, Instant)}) to a time after
     * {@code now} and not attempted since, not leased, pending or retrying. A channel that deferred
     * deliveries because their target was saturated (a webhook endpoint that hung) asks for it once
     * the target answers again, so its backlog comes back at once rather than at the times it was
     * spread over while the target was slow. Scheduled deliveries and retries after a failed
     * attempt keep their times. The default does nothing (stores written before it existed); both
     * stores of Notify implement it.
     *
     * @return how many deliveries were made due
     * @since 0.4
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
    default int bringForward(String channel, String target, Instant now) {
        return 0;
    }

    /**
     * {@link #bringForward(String, String, Instant)} for at most {@code limit} of those deliveries,
     * the ones deferred to the soonest times first. A channel whose target has free places while
     * its deferred backlog waits for later times asks for what the target can take next, instead
     * of the whole backlog, most of which would find the target saturated again and be deferred
     * again. The default brings every one forward (stores written before it existed).
     *
     * @return how many deliveries were made due, at most {@code limit}
     * @throws IllegalArgumentException when {@code limit} is not positive
     * @since 0.6
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.6")
    default int bringForward(String channel, String target, Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return bringForward(channel, target, now);
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
