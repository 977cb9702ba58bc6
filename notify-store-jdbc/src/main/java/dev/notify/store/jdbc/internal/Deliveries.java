package dev.notify.store.jdbc.internal;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Page;
import dev.notify.api.Priority;
import dev.notify.api.spi.DeliveryClaim;
import dev.notify.api.spi.Lease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivery rows: claims with leases, attempts, retries, dead letters and replays.
 *
 * <p>A row is claimable while {@code claimable_at <= now}. That column is the later of the next
 * attempt time and the lease expiry, so one index range finds exactly the due, unleased rows,
 * and a row whose lease lapsed (its node died) becomes claimable again by itself.
 * On PostgreSQL a claim is one {@code UPDATE ... WHERE id = ANY(ARRAY(SELECT ... FOR UPDATE SKIP
 * LOCKED))}, so concurrent claimers on several nodes skip each other's rows instead of waiting or
 * sharing them. The picked ids form an array evaluated once (an init plan) that the update finds
 * through the primary key: a join with the sub-select in {@code FROM} (or a CTE) was planned as a
 * hash join over a sequential scan of the whole table, 3-7 ms a claim at 20,000 rows (EXPLAIN
 * ANALYZE on PostgreSQL 15) and growing with the table; the array form took 0.1 ms for 2 rows and
 * 2.3 ms for 256.
 * H2 is single-node: claims are serialised by a lock in this process, and each row is leased by
 * an update that re-checks it is still claimable.
 */
public final class Deliveries {

    /** Longest stored attempt response, in bytes of UTF-8. */
    public static final int MAX_RESPONSE_BYTES = 16 * 1024;
    /** Longest stored error. */
    public static final int MAX_ERROR_CHARS = 4000;

    private static final Comparator<DeliveryRecord> CLAIM_ORDER = Comparator
            .comparing((DeliveryRecord d) -> d.priority()).reversed()
            .thenComparing(d -> d.nextAttemptAt().orElse(Instant.MIN))
            .thenComparingLong(DeliveryRecord::id);

    private static final String CLAIMABLE = "claimable_at <= ? AND status IN ('pending', 'retrying')";

    private final Database db;
    private final ReentrantLock h2ClaimLock = new ReentrantLock();

    public Deliveries(Database db) {
        this.db = db;
    }

    public List<DeliveryRecord> claimDue(Instant now, int limit, Lease lease) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        if (db.dialect() == Dialect.POSTGRESQL) {
            return claimWithSkipLocked(now, limit, lease);
        }
        h2ClaimLock.lock();
        try {
            return claimSerialised(now, limit, lease);
        } finally {
            h2ClaimLock.unlock();
        }
    }

    private List<DeliveryRecord> claimWithSkipLocked(Instant now, int limit, Lease lease) {
        String sql = "UPDATE notify_delivery d SET lease_owner = ?, lease_until = ?, claimable_at = ?, updated_at = ?, lease_token = ? "
                + "WHERE d.id = ANY(ARRAY(SELECT id FROM notify_delivery WHERE " + CLAIMABLE
                + " ORDER BY priority DESC, claimable_at, id LIMIT ? FOR UPDATE SKIP LOCKED)) "
                + "RETURNING " + qualified("d", Rows.DELIVERY_COLUMNS);
        return db.commitOnly("claiming deliveries", c -> {
            List<DeliveryRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                long until = Sql.nanos(lease.until());
                ps.setString(1, lease.owner());
                ps.setLong(2, until);
                ps.setLong(3, until);
                ps.setLong(4, Sql.nanos(now));
                ps.setLong(5, lease.token());
                ps.setLong(6, Sql.nanos(now));
                ps.setInt(7, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(Rows.delivery(rs));
                    }
                }
            }
            out.sort(CLAIM_ORDER);
            return out;
        });
    }

    private List<DeliveryRecord> claimSerialised(Instant now, int limit, Lease lease) {
        return db.commitOnly("claiming deliveries", c -> {
            long nowNs = Sql.nanos(now);
            List<DeliveryRecord> candidates = new ArrayList<>();
            Priority[] priorities = Priority.values();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.DELIVERY_COLUMNS + " FROM notify_delivery WHERE priority = ? AND "
                    + "claimable_at >= ? AND " + CLAIMABLE + " ORDER BY priority, claimable_at, id LIMIT ?")) {
                // "priority" is fixed by the WHERE; naming it lets H2 read the index in order and stop at the limit.
                // The lower bound starts the index range after the NULLs (the terminal rows, which H2 sorts first
                // and would otherwise walk through, reading each row, on every claim).
                for (int p = priorities.length - 1; p >= 0 && candidates.size() < limit; p--) {
                    ps.setShort(1, (short) p);
                    ps.setLong(2, Long.MIN_VALUE);
                    ps.setLong(3, nowNs);
                    ps.setInt(4, limit - candidates.size());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            candidates.add(Rows.delivery(rs));
                        }
                    }
                }
            }
            if (candidates.isEmpty()) {
                return List.of();
            }
            long until = Sql.nanos(lease.until());
            List<DeliveryRecord> out = new ArrayList<>(candidates.size());
            try (PreparedStatement ps = c.prepareStatement("UPDATE notify_delivery SET lease_owner = ?, lease_until = ?, "
                    + "claimable_at = ?, updated_at = ?, lease_token = ? WHERE id = ? AND " + CLAIMABLE)) {
                for (DeliveryRecord d : candidates) {
                    ps.setString(1, lease.owner());
                    ps.setLong(2, until);
                    ps.setLong(3, until);
                    ps.setLong(4, nowNs);
                    ps.setLong(5, lease.token());
                    ps.setLong(6, d.id());
                    ps.setLong(7, nowNs);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] != 0) {
                        DeliveryRecord d = candidates.get(i);
                        out.add(new DeliveryRecord(d.id(), d.notificationId(), d.channel(), d.target(), d.priority(), d.status(),
                                d.attempts(), d.nextAttemptAt(), d.lastError(), d.createdAt(), now));
                    }
                }
            }
            return out;
        });
    }

    /** One {@code recordAttempt} call; fenced by {@code claim} unless it is null. */
    public record AttemptUpdate(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt, DeliveryClaim claim) {
        public AttemptUpdate(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
            this(attempt, status, nextAttemptAt, null);
        }
    }

    public Optional<DeliveryRecord> recordAttempt(DeliveryAttempt attempt, DeliveryStatus status, Optional<Instant> nextAttemptAt) {
        return recordAttempts(List.of(new AttemptUpdate(attempt, status, nextAttemptAt))).get(0);
    }

    /**
     * The fence of a write about a claimed delivery: unfenced (no owner given), cancelled meanwhile
     * (the attempt is logged, the status kept), or still leased to the same owner under the same
     * token with the attempt count it was claimed with. Binds owner, owner, token, attempts.
     */
    private static final String FENCE = "(CAST(? AS VARCHAR(256)) IS NULL OR status = 'cancelled' "
            + "OR (lease_owner = ? AND lease_token = ? AND attempts = ?))";

    private static void bindFence(PreparedStatement ps, int at, DeliveryClaim claim) throws SQLException {
        if (claim == null) {
            ps.setNull(at, Types.VARCHAR);
            ps.setNull(at + 1, Types.VARCHAR);
            ps.setNull(at + 2, Types.BIGINT);
            ps.setNull(at + 3, Types.INTEGER);
        } else {
            ps.setString(at, claim.owner());
            ps.setString(at + 1, claim.owner());
            ps.setLong(at + 2, claim.token());
            ps.setInt(at + 3, claim.attempts());
        }
    }

    /** The status update of {@code recordAttempt}; a delivery cancelled meanwhile stays cancelled, the attempt is logged all the same. */
    private static final String ATTEMPT_SET = "status = CASE WHEN status = 'cancelled' THEN status ELSE ? END, attempts = ?, "
            + "next_attempt_at = CASE WHEN status = 'cancelled' THEN NULL ELSE ? END, "
            + "claimable_at = CASE WHEN status = 'cancelled' THEN NULL ELSE ? END, "
            + "last_error = COALESCE(?, last_error), lease_owner = NULL, lease_until = NULL, lease_token = NULL, deferred = FALSE, "
            + "updated_at = ?";

    /** The same update for a whole group on PostgreSQL: one statement over arrays, answering the updated rows. */
    private static final String PG_ATTEMPTS_UPDATE = "UPDATE notify_delivery d SET "
            + "status = CASE WHEN d.status = 'cancelled' THEN d.status ELSE v.status END, attempts = v.attempts, "
            + "next_attempt_at = CASE WHEN d.status = 'cancelled' THEN NULL ELSE v.due END, "
            + "claimable_at = CASE WHEN d.status = 'cancelled' THEN NULL ELSE v.due END, "
            + "last_error = COALESCE(v.error, d.last_error), lease_owner = NULL, lease_until = NULL, lease_token = NULL, "
            + "deferred = FALSE, updated_at = v.updated "
            + "FROM unnest(?::bigint[], ?::varchar[], ?::int[], ?::bigint[], ?::varchar[], ?::bigint[], ?::varchar[], ?::bigint[], ?::int[]) "
            + "AS v(id, status, attempts, due, error, updated, owner, token, held) WHERE d.id = v.id "
            + "AND (v.owner IS NULL OR d.status = 'cancelled' OR (d.lease_owner = v.owner AND d.lease_token = v.token AND d.attempts = v.held)) "
            + "RETURNING " + qualified("d", Rows.DELIVERY_COLUMNS);

    private static final String INSERT_ATTEMPT = "INSERT INTO notify_attempt (delivery_id, number, started_at, "
            + "duration_ns, outcome, status_code, error, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    /** What one attempt writes, computed once. */
    private record AttemptRow(AttemptUpdate u, long id, Optional<Instant> due, Optional<String> error, long end) {
        static AttemptRow of(AttemptUpdate u) {
            DeliveryAttempt attempt = u.attempt();
            Instant end = attempt.startedAt().plus(attempt.duration());
            Optional<Instant> due = u.status() == DeliveryStatus.PENDING || u.status() == DeliveryStatus.RETRYING
                    ? Optional.of(u.nextAttemptAt().orElse(end)) : Optional.empty();
            Optional<String> error = attempt.error().map(e -> Sql.truncate(e, MAX_ERROR_CHARS));
            return new AttemptRow(u, attempt.deliveryId(), due, error, Sql.nanos(end));
        }
    }

    /**
     * Records several attempts in one transaction (see {@link GroupCommitter}); results in order.
     * The whole group costs a fixed number of statements: the status updates (one JDBC batch and
     * one read-back on H2, one {@code UPDATE ... FROM unnest(...) RETURNING} on PostgreSQL) and
     * one batch of attempt rows. A group naming one delivery twice is done one attempt after the
     * other, so that each caller sees the row as its own update left it. Durable when it returns.
     */
    public List<Optional<DeliveryRecord>> recordAttempts(List<AttemptUpdate> updates) {
        List<Optional<DeliveryRecord>> out = commitAttempts(updates);
        db.durability().await("recording a delivery attempt");
        return out;
    }

    /** {@link #recordAttempts}, committed but not necessarily durable yet (for the group committer, see {@link Durability}). */
    public List<Optional<DeliveryRecord>> commitAttempts(List<AttemptUpdate> updates) {
        List<AttemptRow> rows = new ArrayList<>(updates.size());
        java.util.Set<Long> ids = new java.util.HashSet<>();
        boolean distinct = true;
        for (AttemptUpdate u : updates) {
            AttemptRow r = AttemptRow.of(u);
            rows.add(r);
            distinct &= ids.add(r.id());
        }
        boolean grouped = distinct && rows.size() > 1;
        return db.commitOnly("recording a delivery attempt", c -> {
            if (!grouped) {
                List<Optional<DeliveryRecord>> out = new ArrayList<>(rows.size());
                List<AttemptRow> logged = new ArrayList<>(rows.size());
                for (AttemptRow r : rows) {
                    List<DeliveryRecord> one = update(c, ATTEMPT_SET, "id = ? AND " + FENCE, ps -> {
                        bindAttemptSet(ps, r).setLong(7, r.id());
                        bindFence(ps, 8, r.u().claim());
                    });
                    out.add(one.isEmpty() ? Optional.empty() : Optional.of(one.get(0)));
                    if (!one.isEmpty()) {
                        logged.add(r);
                    }
                }
                insertAttempts(c, logged);
                return out;
            }
            Map<Long, DeliveryRecord> updated = db.dialect() == Dialect.POSTGRESQL ? updateAllPostgres(c, rows) : updateAllBatched(c, rows);
            List<Optional<DeliveryRecord>> out = new ArrayList<>(rows.size());
            List<AttemptRow> logged = new ArrayList<>(rows.size());
            for (AttemptRow r : rows) {
                DeliveryRecord d = updated.get(r.id());
                out.add(Optional.ofNullable(d));
                if (d != null) {
                    logged.add(r);
                }
            }
            insertAttempts(c, logged);
            return out;
        });
    }

    private static PreparedStatement bindAttemptSet(PreparedStatement ps, AttemptRow r) throws SQLException {
        ps.setString(1, r.u().status().wireName());
        ps.setInt(2, r.u().attempt().number());
        Sql.setInstant(ps, 3, r.due());
        Sql.setInstant(ps, 4, r.due());
        Sql.setString(ps, 5, r.error());
        ps.setLong(6, r.end());
        return ps;
    }

    /** H2: the updates as one JDBC batch, then the rows they touched in one query. Ids are distinct. */
    private static Map<Long, DeliveryRecord> updateAllBatched(Connection c, List<AttemptRow> rows) throws SQLException {
        List<Long> touched = new ArrayList<>(rows.size());
        try (PreparedStatement ps = c.prepareStatement("UPDATE notify_delivery SET " + ATTEMPT_SET + " WHERE id = ? AND " + FENCE)) {
            for (AttemptRow r : rows) {
                bindAttemptSet(ps, r).setLong(7, r.id());
                bindFence(ps, 8, r.u().claim());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    touched.add(rows.get(i).id());
                }
            }
        }
        Map<Long, DeliveryRecord> out = new java.util.HashMap<>(touched.size() * 2);
        if (touched.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.DELIVERY_COLUMNS + " FROM notify_delivery WHERE id IN ("
                + Sql.placeholders(touched.size()) + ")")) {
            for (int i = 0; i < touched.size(); i++) {
                ps.setLong(i + 1, touched.get(i));
            }
            for (DeliveryRecord d : deliveries(ps)) {
                out.put(d.id(), d);
            }
        }
        return out;
    }

    /** PostgreSQL: every update in one statement over arrays, answering the updated rows. Ids are distinct. */
    private static Map<Long, DeliveryRecord> updateAllPostgres(Connection c, List<AttemptRow> rows) throws SQLException {
        int n = rows.size();
        Long[] ids = new Long[n];
        String[] statuses = new String[n];
        Integer[] numbers = new Integer[n];
        Long[] dues = new Long[n];
        String[] errors = new String[n];
        Long[] ends = new Long[n];
        String[] owners = new String[n];
        Long[] tokens = new Long[n];
        Integer[] held = new Integer[n];
        for (int i = 0; i < n; i++) {
            AttemptRow r = rows.get(i);
            ids[i] = r.id();
            statuses[i] = r.u().status().wireName();
            numbers[i] = r.u().attempt().number();
            dues[i] = r.due().map(Sql::nanos).orElse(null);
            errors[i] = r.error().orElse(null);
            ends[i] = r.end();
            DeliveryClaim claim = r.u().claim();
            owners[i] = claim == null ? null : claim.owner();
            tokens[i] = claim == null ? null : claim.token();
            held[i] = claim == null ? null : claim.attempts();
        }
        Map<Long, DeliveryRecord> out = new java.util.HashMap<>(n * 2);
        try (PreparedStatement ps = c.prepareStatement(PG_ATTEMPTS_UPDATE)) {
            ps.setArray(1, c.createArrayOf("bigint", ids));
            ps.setArray(2, c.createArrayOf("varchar", statuses));
            ps.setArray(3, c.createArrayOf("integer", numbers));
            ps.setArray(4, c.createArrayOf("bigint", dues));
            ps.setArray(5, c.createArrayOf("varchar", errors));
            ps.setArray(6, c.createArrayOf("bigint", ends));
            ps.setArray(7, c.createArrayOf("varchar", owners));
            ps.setArray(8, c.createArrayOf("bigint", tokens));
            ps.setArray(9, c.createArrayOf("integer", held));
            for (DeliveryRecord d : deliveries(ps)) {
                out.put(d.id(), d);
            }
        }
        return out;
    }

    /** The attempt rows, one batch, in the callers' order. */
    private static void insertAttempts(Connection c, List<AttemptRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT_ATTEMPT)) {
            for (AttemptRow r : rows) {
                DeliveryAttempt attempt = r.u().attempt();
                insert.setLong(1, r.id());
                insert.setInt(2, attempt.number());
                insert.setLong(3, Sql.nanos(attempt.startedAt()));
                insert.setLong(4, attempt.duration().toNanos());
                insert.setString(5, attempt.outcome().name());
                Rows.setNullableInt(insert, 6, attempt.statusCode());
                Sql.setString(insert, 7, r.error());
                Sql.setString(insert, 8, attempt.response().map(resp -> Sql.truncateUtf8(resp, MAX_RESPONSE_BYTES)));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    public void release(long deliveryId, Instant dueAt) {
        release(deliveryId, dueAt, null);
    }

    /**
     * Releases the delivery, fenced by {@code claim} unless it is null; whether it was released.
     * Committed, not awaited until durable (like a claim): a release lost with the process leaves the
     * row leased to this node, and lease expiry hands it out again, as it would have been. On embedded
     * H2 the wait for durability took ~15 ms per release on a worker (JFR of the 50-hanging isolation
     * test: 300 waits of 10 ms or more, 4.4 s in all), so a notification's 50 deferrals for saturated
     * endpoints held all five workers, by arithmetic about 150 ms, while a healthy endpoint's delivery
     * waited behind them.
     */
    public boolean release(long deliveryId, Instant dueAt, DeliveryClaim claim) {
        int n = db.commitOnly("releasing a delivery", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE notify_delivery SET lease_owner = NULL, lease_until = NULL, "
                    + "lease_token = NULL, next_attempt_at = ?, claimable_at = ?, deferred = TRUE WHERE id = ? "
                    + "AND status IN ('pending', 'retrying') AND " + FENCE)) {
                ps.setLong(1, Sql.nanos(dueAt));
                ps.setLong(2, Sql.nanos(dueAt));
                ps.setLong(3, deliveryId);
                bindFence(ps, 4, claim);
                return ps.executeUpdate();
            }
        });
        return n > 0;
    }

    /**
     * Makes at most {@code limit} deferred, unleased deliveries of the channel to the target that are
     * due after {@code now} due now, those due soonest first: one statement, the rows picked and
     * locked by a sub-select ({@code SKIP LOCKED} on PostgreSQL: a row another node is claiming or
     * releasing is left for the next call).
     */
    public int bringForward(String channel, String target, Instant now, int limit) {
        String pick = "SELECT id FROM notify_delivery WHERE channel = ? AND target = ? AND deferred AND status IN ('pending', 'retrying') "
                + "AND lease_owner IS NULL AND next_attempt_at > ? ORDER BY next_attempt_at LIMIT ?";
        // PostgreSQL: the picked ids as an array evaluated once (see the class comment); an IN over the LIMIT
        // sub-select, and a join with it in FROM, updated 3 and 5 rows for a limit of 2 there (the locking
        // sub-select was evaluated more than once), and a CTE was joined over a scan of the whole table
        String sql = db.dialect() == Dialect.POSTGRESQL
                ? "UPDATE notify_delivery d SET next_attempt_at = ?, claimable_at = ? WHERE d.id = ANY(ARRAY(" + pick
                        + " FOR UPDATE SKIP LOCKED)) AND d.deferred AND d.lease_owner IS NULL AND d.next_attempt_at > ?"
                : "UPDATE notify_delivery SET next_attempt_at = ?, claimable_at = ? WHERE id IN (" + pick + ") "
                        + "AND deferred AND lease_owner IS NULL AND next_attempt_at > ?";
        long at = Sql.nanos(now);
        Object[] values = {at, at, channel, target, at, limit, at}; // in statement order, the same on both
        return db.write("bringing deferred deliveries forward", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    /** Makes the deferred, unleased deliveries of the channel to the target that are due after {@code now} due now. */
    public int bringForward(String channel, String target, Instant now) {
        return bringForward(channel, target, now, Integer.MAX_VALUE);
    }

    public Optional<DeliveryRecord> delivery(long id) {
        return db.read("reading a delivery", c -> {
            List<DeliveryRecord> l = select(c, "id = ?", "id", ps -> ps.setLong(1, id));
            return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
        });
    }

    public List<DeliveryRecord> deliveries(String notificationId) {
        return db.read("reading deliveries", c -> select(c, "notification_id = ?", "id", ps -> ps.setString(1, notificationId)));
    }

    public Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit) {
        checkLimit(limit);
        Optional<long[]> after = cursor.map(s -> Cursors.decode("to", s));
        return db.read("reading deliveries", c -> {
            List<DeliveryRecord> rows = select(c, "channel = ? AND target = ?" + (after.isPresent() ? " AND id < ?" : ""),
                    "id DESC LIMIT " + (limit + 1), ps -> {
                        ps.setString(1, channel);
                        ps.setString(2, target);
                        if (after.isPresent()) {
                            ps.setLong(3, after.get()[0]);
                        }
                    });
            return page(rows, limit, d -> Cursors.encode("to", d.id(), 0));
        });
    }

    public List<DeliveryAttempt> attempts(long deliveryId) {
        return db.read("reading delivery attempts", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT delivery_id, number, started_at, duration_ns, outcome, "
                    + "status_code, error, response FROM notify_attempt WHERE delivery_id = ? ORDER BY id")) {
                ps.setLong(1, deliveryId);
                List<DeliveryAttempt> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(Rows.attempt(rs));
                    }
                }
                return out;
            }
        });
    }

    public List<DeliveryRecord> cancel(String notificationId, Instant now) {
        return db.inTransaction("cancelling deliveries", c -> {
            List<DeliveryRecord> out = update(c, "status = 'cancelled', next_attempt_at = NULL, claimable_at = NULL, "
                    + "lease_owner = NULL, lease_until = NULL, updated_at = ?",
                    "notification_id = ? AND status IN ('pending', 'retrying')", ps -> {
                        ps.setLong(1, Sql.nanos(now));
                        ps.setString(2, notificationId);
                    });
            out.sort(Comparator.comparingLong(DeliveryRecord::id));
            return out;
        });
    }

    public Page<DeliveryRecord> deadLetters(Optional<String> cursor, int limit) {
        checkLimit(limit);
        Optional<long[]> after = cursor.map(s -> Cursors.decode("dead", s));
        return db.read("reading dead letters", c -> {
            List<DeliveryRecord> rows = select(c, "status = 'failed'" + (after.isPresent() ? " AND (updated_at, id) < (?, ?)" : ""),
                    "updated_at DESC, id DESC LIMIT " + (limit + 1), ps -> {
                        if (after.isPresent()) {
                            ps.setLong(1, after.get()[0]);
                            ps.setLong(2, after.get()[1]);
                        }
                    });
            return page(rows, limit, d -> Cursors.encode("dead", Sql.nanos(d.updatedAt()), d.id()));
        });
    }

    public Optional<DeliveryRecord> replay(long deliveryId, Instant now) {
        return db.inTransaction("replaying a dead letter", c -> {
            List<DeliveryRecord> out = update(c, "status = 'pending', attempts = 0, next_attempt_at = ?, claimable_at = ?, "
                    + "lease_owner = NULL, lease_until = NULL, updated_at = ?", "id = ? AND status = 'failed'", ps -> {
                        long n = Sql.nanos(now);
                        ps.setLong(1, n);
                        ps.setLong(2, n);
                        ps.setLong(3, n);
                        ps.setLong(4, deliveryId);
                    });
            return out.isEmpty() ? Optional.empty() : Optional.of(out.get(0));
        });
    }

    public Map<DeliveryStatus, Long> countByStatus() {
        return db.read("counting deliveries", c -> {
            Map<DeliveryStatus, Long> out = new EnumMap<>(DeliveryStatus.class);
            for (DeliveryStatus s : DeliveryStatus.values()) {
                out.put(s, 0L);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM notify_delivery GROUP BY status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(DeliveryStatus.fromWire(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
    }

    // ---- helpers ----------------------------------------------------------------------------

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static List<DeliveryRecord> select(Connection c, String where, String orderBy, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.DELIVERY_COLUMNS + " FROM notify_delivery WHERE "
                + where + " ORDER BY " + orderBy)) {
            binder.bind(ps);
            return deliveries(ps);
        }
    }

    /** An update that answers the updated rows: {@code RETURNING} on PostgreSQL, a data change delta table on H2. */
    private List<DeliveryRecord> update(Connection c, String set, String where, Binder binder) throws SQLException {
        String sql = db.dialect() == Dialect.POSTGRESQL
                ? "UPDATE notify_delivery SET " + set + " WHERE " + where + " RETURNING " + Rows.DELIVERY_COLUMNS
                : "SELECT " + Rows.DELIVERY_COLUMNS + " FROM FINAL TABLE (UPDATE notify_delivery SET " + set + " WHERE " + where + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return deliveries(ps);
        }
    }

    private static List<DeliveryRecord> deliveries(PreparedStatement ps) throws SQLException {
        List<DeliveryRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Rows.delivery(rs));
            }
        }
        return out;
    }

    static <T> Page<T> page(List<T> rows, int limit, java.util.function.Function<T, String> cursorOf) {
        if (rows.size() > limit) {
            List<T> items = rows.subList(0, limit);
            return new Page<>(items, Optional.of(cursorOf.apply(items.get(limit - 1))));
        }
        return new Page<>(rows, Optional.empty());
    }

    static void checkLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000, got " + limit);
        }
    }

    private static String qualified(String alias, String columns) {
        StringBuilder sb = new StringBuilder();
        for (String col : columns.split(",")) {
            sb.append(sb.length() > 0 ? ", " : "").append(alias).append('.').append(col.strip());
        }
        return sb.toString();
    }
}
