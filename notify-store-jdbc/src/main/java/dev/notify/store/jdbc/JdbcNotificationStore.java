package dev.notify.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
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
import dev.notify.api.spi.NodeStatus;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PreferenceStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import dev.notify.api.spi.StoreException;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.store.jdbc.internal.Database;
import dev.notify.store.jdbc.internal.Deliveries;
import dev.notify.store.jdbc.internal.Dialect;
import dev.notify.store.jdbc.internal.Durability;
import dev.notify.store.jdbc.internal.EventLogTable;
import dev.notify.store.jdbc.internal.GroupCommitter;
import dev.notify.store.jdbc.internal.Inboxes;
import dev.notify.store.jdbc.internal.Nodes;
import dev.notify.store.jdbc.internal.PreferencesTable;
import dev.notify.store.jdbc.internal.Publisher;
import dev.notify.store.jdbc.internal.Reads;
import dev.notify.store.jdbc.internal.Startup;
import dev.notify.store.jdbc.internal.WebhookEndpoints;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link NotificationStore} over JDBC: embedded H2 (the default, one node) or PostgreSQL
 * (production; several nodes may share one database). Opening it connects, and creates or
 * upgrades the schema with Flyway; a database that cannot be reached, or whose schema is newer
 * than this code, fails the open with one {@link StoreException} line.
 *
 * <pre>{@code
 * try (JdbcNotificationStore store = JdbcNotificationStore.open(JdbcStoreConfig.builder()
 *         .jdbcUrl("jdbc:postgresql://localhost/notify").user("notify").password(secret).build())) {
 *     store.save(request);
 * }
 * }</pre>
 *
 * <p>Every publish is one transaction (notification, inbox rows, deliveries, idempotency key,
 * event-log entries): when {@code save} returns, it is on disk. Concurrent single saves, and
 * concurrent {@code recordAttempt} calls, share transactions (group commit, see
 * {@link JdbcStoreConfig#groupCommitMax()}) without giving up that guarantee. One H2 database is
 * meant to be used by one store instance: H2 claims are serialised inside the instance.
 */
public final class JdbcNotificationStore implements NotificationStore {

    private final HikariDataSource dataSource;
    private final String description;
    private final Publisher publisher;
    private final GroupCommitter<List<PublishRequest>, List<PublishResult>> publishes;
    private final boolean batchesThroughCommitter;
    private final GroupCommitter<Deliveries.AttemptUpdate, Optional<DeliveryRecord>> attempts;
    private final EventLogTable eventLog;
    private final Deliveries deliveries;
    private final Nodes nodes;
    private final Inboxes inboxes;
    private final WebhookEndpoints endpoints;
    private final PreferencesTable preferences;
    private final Database db;
    private final Durability durability;

    /** From this many notifications in a group, H2 executes the next group while writing this one (100 and 250 measured alike). */
    private static final int OVERLAP_NOTIFICATIONS = 100;

    private JdbcNotificationStore(HikariDataSource dataSource, Dialect dialect, String description, JdbcStoreConfig config) {
        this.dataSource = dataSource;
        this.description = description;
        this.durability = dialect == Dialect.H2 ? Durability.forH2(dataSource) : Durability.immediate();
        this.db = new Database(dataSource, dialect, durability);
        this.publisher = new Publisher(db, config.idempotencyWindow());
        this.eventLog = new EventLogTable(db);
        this.deliveries = new Deliveries(db);
        this.nodes = new Nodes(db, description, config.effectiveJdbcUrl());
        if (config.groupCommitMax() > 1) {
            // One committer each, taking everything queued meanwhile: the fewest, largest transactions.
            // Publishes serialise on the event-log lock anyway; for attempts, one committer measured
            // faster than several on 2 cores (docs/benchmarks-store.md).
            // On H2 a group of at least OVERLAP_NOTIFICATIONS is written while the next one is executed
            // (see Durability); smaller groups, and attempt groups (at most one per worker), are cheaper
            // written at once.
            this.publishes = new GroupCommitter<>(this::saveGroup, durability, config.groupCommitMax(), List::size,
                    OVERLAP_NOTIFICATIONS, "notify-store-publish");
            this.attempts = new GroupCommitter<>(deliveries::commitAttempts, durability, config.groupCommitMax(), u -> 1,
                    Integer.MAX_VALUE, "notify-store-attempts");
        } else {
            this.publishes = null;
            this.attempts = null;
        }
        // H2 serialises appends anyway, and its lock waits are costly: batches queue with the
        // single publishes. PostgreSQL gains from writing batches in parallel up to the log lock.
        this.batchesThroughCommitter = publishes != null && dialect == Dialect.H2;
        this.inboxes = new Inboxes(db);
        this.endpoints = new WebhookEndpoints(db);
        this.preferences = new PreferencesTable(db);
    }

    /**
     * Connects, migrates the schema and returns the store.
     *
     * @throws StoreException with a one-line message when the database cannot be reached, is
     *         newer than this code, or cannot be migrated
     */
    public static JdbcNotificationStore open(JdbcStoreConfig config) {
        Objects.requireNonNull(config, "config");
        String url = config.effectiveJdbcUrl();
        Dialect dialect = Dialect.of(url);
        String safeUrl = Redaction.url(url);
        Path h2Dir = config.jdbcUrl().isEmpty() ? config.dataDirectory() : null;
        HikariDataSource ds = Startup.openPool(url, safeUrl, dialect, config.user().orElse(null),
                config.password().orElse(null), config.poolSize(), config.connectTimeout(), h2Dir);
        try {
            Startup.migrate(ds, dialect, safeUrl);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        String description = safeUrl.startsWith("jdbc:h2:") && safeUrl.indexOf(';') > 0 ? safeUrl.substring(0, safeUrl.indexOf(';')) : safeUrl;
        try {
            return new JdbcNotificationStore(ds, dialect, description, config);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /**
     * Reports the connection pool's metrics (HikariCP's {@code hikaricp_connections_*}: active, idle,
     * pending, timeouts, acquire time) to {@code meterRegistry}, a Micrometer {@code MeterRegistry}.
     * It is an {@code Object} so that the store does not depend on Micrometer; call it once.
     *
     * @throws IllegalArgumentException when it is not a Micrometer registry
     * @throws IllegalStateException when the pool already reports to one
     */
    public void bindPoolMetrics(Object meterRegistry) {
        dataSource.setMetricRegistry(meterRegistry);
    }

    /** The embedded H2 store kept in {@code dataDirectory}. */
    public static JdbcNotificationStore openH2(Path dataDirectory) {
        return open(JdbcStoreConfig.h2(dataDirectory));
    }

    // ---- publishing ------------------------------------------------------------------------

    @Override
    public PublishResult save(PublishRequest request) {
        Objects.requireNonNull(request, "request");
        if (publishes != null) {
            return publishes.submit(List.of(request)).get(0);
        }
        return publisher.saveAll(List.of(request)).get(0);
    }

    @Override
    public List<PublishResult> saveAll(List<PublishRequest> requests) {
        List<PublishRequest> copy = List.copyOf(requests);
        if (batchesThroughCommitter && !copy.isEmpty()) {
            return publishes.submit(copy);
        }
        return publisher.saveAll(copy);
    }

    /** Several callers' publishes in one transaction; each caller's list stays all-or-nothing (see GroupCommitter). */
    private List<List<PublishResult>> saveGroup(List<List<PublishRequest>> group) {
        if (group.size() == 1) {
            return List.of(publisher.commitAll(group.get(0)));
        }
        List<PublishRequest> all = new java.util.ArrayList<>();
        group.forEach(all::addAll);
        List<PublishResult> results = publisher.commitAll(all);
        List<List<PublishResult>> out = new java.util.ArrayList<>(group.size());
        int from = 0;
        for (List<PublishRequest> requests : group) {
            out.add(results.subList(from, from + requests.size()));
            from += requests.size();
        }
        return out;
    }

    @Override
    public Optional<Notification> find(String notificationId) {
        return db.read("reading a notification", c -> Reads.notification(c, notificationId));
    }

    // ---- event log --------------------------------------------------------------------------

    @Override
    public List<EventLogEntry> appendEvents(String notificationId, List<Audience> audiences, Instant at) {
        return publisher.appendEvents(notificationId, audiences, at);
    }

    @Override
    public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        return eventLog.readAfter(afterSequence, userId, topics, limit);
    }

    @Override
    public EventLogSlice readAll(long afterSequence, int limit) {
        return eventLog.readAll(afterSequence, limit);
    }

    @Override
    public long latestSequence() {
        return eventLog.latestSequence();
    }

    @Override
    public long sequenceBefore(Audience audience, long sequence) {
        return eventLog.sequenceBefore(audience, sequence);
    }

    // ---- deliveries -------------------------------------------------------------------------

    @Override
    public List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease) {
        return deliveries.claimDue(now, limit, lease);
    }

    @Override
    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
        Deliveries.AttemptUpdate update = new Deliveries.AttemptUpdate(attempt, status, nextAttemptAt);
        return attempts != null ? attempts.submit(update) : deliveries.recordAttempts(List.of(update)).get(0);
    }

    @Override
    public void release(long deliveryId, Instant dueAt) {
        deliveries.release(deliveryId, dueAt);
    }

    @Override
    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt,
                                                  DeliveryClaim claim) {
        Deliveries.AttemptUpdate update = new Deliveries.AttemptUpdate(attempt, status, nextAttemptAt, Objects.requireNonNull(claim, "claim"));
        return attempts != null ? attempts.submit(update) : deliveries.recordAttempts(List.of(update)).get(0);
    }

    @Override
    public boolean release(long deliveryId, Instant dueAt, DeliveryClaim claim) {
        return deliveries.release(deliveryId, dueAt, Objects.requireNonNull(claim, "claim"));
    }

    @Override
    public int bringForward(String channel, String target, Instant now) {
        return deliveries.bringForward(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(target, "target"),
                Objects.requireNonNull(now, "now"));
    }

    @Override
    public int bringForward(String channel, String target, Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return deliveries.bringForward(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(target, "target"),
                Objects.requireNonNull(now, "now"), limit);
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
        return deliveries.cancel(notificationId, Instant.now());
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
        return inboxes.list(query);
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

    // ---- the rest ---------------------------------------------------------------------------

    @Override
    public long prune(Instant now, Retention retention) {
        return eventLog.prune(now, retention);
    }

    @Override
    public WebhookEndpointStore webhookEndpoints() {
        return endpoints;
    }

    @Override
    public void heartbeat(NodeStatus status) {
        nodes.heartbeat(Objects.requireNonNull(status, "status"));
    }

    @Override
    public List<NodeStatus> nodes() {
        return nodes.nodes();
    }

    @Override
    public boolean tryLead(String task, String owner, Instant now, Duration term) {
        return nodes.tryLead(task, owner, now, term);
    }

    @Override
    public PreferenceStore preferences() {
        return preferences;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            if (publishes != null) {
                publishes.close();
                attempts.close();
            }
            durability.close();
        } finally {
            dataSource.close();
        }
    }

    @Override
    public String toString() {
        return "JdbcNotificationStore[" + description + "]";
    }
}
