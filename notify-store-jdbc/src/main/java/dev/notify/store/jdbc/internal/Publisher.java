package dev.notify.store.jdbc.internal;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes publishes: notification, inbox rows, delivery rows, idempotency key and event-log entries,
 * each kind as one JDBC batch, all in the caller's transaction.
 *
 * <p><b>Event-log order.</b> A reader resumes "after sequence N", so a sequence must never become
 * visible before a smaller one: on PostgreSQL two transactions that took 10 and 11 from a
 * sequence may commit as 11, then 10, and a reader that saw 11 would skip 10 for good. Sequences
 * are therefore handed out by an update of the single {@code notify_log_state} row, as the last
 * statement before the commit: the row lock it takes serialises appends until commit, so
 * sequences become visible in order on both databases. The cost is one serialised
 * update-insert-commit per transaction, which the {@link GroupCommitter} amortises over many
 * concurrent publishes.
 */
public final class Publisher {

    static final String INSERT_INBOX = "INSERT INTO notify_inbox (user_id, notification_id, created_at) VALUES (?, ?, ?)";
    static final String INSERT_DELIVERY = "INSERT INTO notify_delivery (notification_id, channel, target, priority, status, "
            + "attempts, next_attempt_at, claimable_at, lease_owner, lease_until, lease_token, created_at, updated_at, last_error) "
            + "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)";
    static final String INSERT_EVENT = "INSERT INTO notify_event (seq, notification_id, user_id, topic, created_at) VALUES (?, ?, ?, ?, ?)";

    /**
     * From this many rows a PostgreSQL batch writes its notifications with a {@code COPY} ({@link CopyRows});
     * fewer keep the prepared {@code INSERT}. The bound is a choice, not a measurement: the gain was
     * measured on batches of 100 and 500, and a single publish keeps the path it had.
     */
    private static final int COPY_FROM = 8;

    /** At most this many idempotency keys in one look-up. */
    private static final int KEYS_PER_LOOKUP = 500;

    private final Database db;
    private final Duration idempotencyWindow;

    public Publisher(Database db, Duration idempotencyWindow) {
        this.db = db;
        this.idempotencyWindow = idempotencyWindow;
    }

    /**
     * Stores all requests in one transaction, retrying when a concurrent publish took an idempotency
     * key first; durable when it returns.
     */
    public List<PublishResult> saveAll(List<PublishRequest> requests) {
        List<PublishResult> results = commitAll(requests);
        if (!requests.isEmpty()) {
            db.durability().await("storing " + requests.size() + " notification(s)");
        }
        return results;
    }

    /** {@link #saveAll}, committed but not necessarily durable yet (for the group committer, see {@link Durability}). */
    public List<PublishResult> commitAll(List<PublishRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return db.commitOnly(c -> write(c, requests));
            } catch (SQLException e) {
                // A unique violation on a keyed publish means another transaction stored the same key
                // meanwhile: run again, and the lookup now finds it and answers "duplicate". The same for
                // a collapse key's first inbox row: run again, and the update now finds the row.
                if (attempt < 3 && Sql.isUniqueViolation(e) && (hasKeys(requests) || InboxCollapse.any(requests))) {
                    continue;
                }
                throw Database.failure("storing " + requests.size() + " notification(s)", e);
            }
        }
    }

    /** A key as one string for maps and sets: scope and key apart by U+0000, which neither may hold. */
    private static String scopedKey(String scope, String key) {
        return scope + '\u0000' + key;
    }

    private static boolean hasKeys(List<PublishRequest> requests) {
        for (PublishRequest r : requests) {
            if (r.notification().idempotencyKey().isPresent()) {
                return true;
            }
        }
        return false;
    }

    private List<PublishResult> write(Connection c, List<PublishRequest> requests) throws SQLException {
        int n = requests.size();
        PublishResult[] results = new PublishResult[n];
        int[] duplicateOf = new int[n];
        java.util.Arrays.fill(duplicateOf, -1);
        List<PublishRequest> fresh = new ArrayList<>(n);
        List<Integer> freshIndex = new ArrayList<>(n);

        Map<String, Integer> keysInBatch = new HashMap<>();
        List<PublishRequest> keyed = new ArrayList<>();
        List<Integer> keyedIndex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PublishRequest r = requests.get(i);
            Optional<String> key = r.notification().idempotencyKey();
            if (key.isPresent()) {
                String k = scopedKey(r.idempotencyScope(), key.get());
                Integer first = keysInBatch.putIfAbsent(k, i);
                if (first != null) {
                    duplicateOf[i] = first;
                } else {
                    keyed.add(r);
                    keyedIndex.add(i);
                }
            }
        }
        if (!keyed.isEmpty()) {
            for (Map.Entry<Integer, Notification> e : claimKeys(c, keyed).entrySet()) {
                results[keyedIndex.get(e.getKey())] = new PublishResult(e.getValue(), true, List.of(), List.of());
            }
        }
        for (int i = 0; i < n; i++) {
            if (duplicateOf[i] < 0 && results[i] == null) {
                fresh.add(requests.get(i));
                freshIndex.add(i);
            }
        }

        if (!fresh.isEmpty()) {
            insertNotifications(c, fresh);
            insertInbox(c, fresh);
            List<List<DeliveryRecord>> deliveries = insertDeliveries(c, fresh);
            List<List<EventLogEntry>> events = appendEvents(c, fresh);
            for (int j = 0; j < fresh.size(); j++) {
                results[freshIndex.get(j)] = new PublishResult(fresh.get(j).notification(), false, events.get(j), deliveries.get(j));
            }
        }
        for (int i = 0; i < n; i++) {
            if (duplicateOf[i] >= 0) {
                results[i] = new PublishResult(results[duplicateOf[i]].notification(), true, List.of(), List.of());
            }
        }
        return List.of(results);
    }

    /**
     * Takes the idempotency keys of {@code keyed} (each key once) for their requests, in a few
     * statements for the whole batch (a key claimed one by one cost two round trips per keyed
     * publish, most of a batch's time when every entry of an ingested stream has a key). Returns, by
     * index into {@code keyed}, the notification that holds a key already within the window; an
     * expired key (or one whose notification is gone) is free again.
     */
    private Map<Integer, Notification> claimKeys(Connection c, List<PublishRequest> keyed) throws SQLException {
        if (db.dialect() != Dialect.POSTGRESQL) {
            return lookUpKeys(c, keyed);
        }
        // PostgreSQL: insert the keys nobody holds in one statement; look up only those held already
        java.util.Set<String> taken = insertAbsentKeys(c, keyed);
        if (taken.size() == keyed.size()) {
            return Map.of();
        }
        List<PublishRequest> held = new ArrayList<>();
        List<Integer> heldIndex = new ArrayList<>();
        for (int i = 0; i < keyed.size(); i++) {
            PublishRequest r = keyed.get(i);
            if (!taken.contains(scopedKey(r.idempotencyScope(), r.notification().idempotencyKey().orElseThrow()))) {
                held.add(r);
                heldIndex.add(i);
            }
        }
        Map<Integer, Notification> existing = new HashMap<>();
        for (Map.Entry<Integer, Notification> e : lookUpKeys(c, held).entrySet()) {
            existing.put(heldIndex.get(e.getKey()), e.getValue());
        }
        return existing;
    }

    /**
     * PostgreSQL: records the keys of {@code keyed} that no row holds, in one statement, and
     * returns them ({@code scope \0 key}). A key held by a transaction not yet committed waits for
     * it, and is then either held (left out) or free (taken). Measured: the look-up of every key of
     * an ingested batch, planned with its 500 values each time, was the largest wait of the batch
     * (~23 ms of ~75 ms); this is one generic statement through the primary key.
     */
    private static java.util.Set<String> insertAbsentKeys(Connection c, List<PublishRequest> keyed) throws SQLException {
        int n = keyed.size();
        String[] scopes = new String[n];
        String[] keys = new String[n];
        String[] ids = new String[n];
        Long[] created = new Long[n];
        // in key order: two batches sharing keys wait for each other in one order, never in a cycle
        List<PublishRequest> sorted = new ArrayList<>(keyed);
        sorted.sort(java.util.Comparator.comparing(PublishRequest::idempotencyScope)
                .thenComparing(r -> r.notification().idempotencyKey().orElseThrow()));
        for (int i = 0; i < n; i++) {
            PublishRequest r = sorted.get(i);
            scopes[i] = r.idempotencyScope();
            keys[i] = r.notification().idempotencyKey().orElseThrow();
            ids[i] = r.notification().id();
            created[i] = Sql.nanos(r.notification().createdAt());
        }
        java.util.Set<String> taken = new java.util.HashSet<>(n * 2);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notify_idempotency (scope, idem_key, notification_id, created_at) "
                + "SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[]) "
                + "ON CONFLICT (scope, idem_key) DO NOTHING RETURNING scope, idem_key")) {
            ps.setArray(1, c.createArrayOf("varchar", scopes));
            ps.setArray(2, c.createArrayOf("varchar", keys));
            ps.setArray(3, c.createArrayOf("varchar", ids));
            ps.setArray(4, c.createArrayOf("bigint", created));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    taken.add(scopedKey(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return taken;
    }

    /**
     * Looks the keys of {@code keyed} up (each key once): one look-up per scope and
     * {@value #KEYS_PER_LOOKUP} keys, one batch recording the keys found free. Returns, by index
     * into {@code keyed}, the notification that holds a key already within the window; an expired
     * key (or one whose notification is gone) is taken over.
     */
    private Map<Integer, Notification> lookUpKeys(Connection c, List<PublishRequest> keyed) throws SQLException {
        Map<String, List<String>> keysByScope = new java.util.LinkedHashMap<>();
        for (PublishRequest r : keyed) {
            keysByScope.computeIfAbsent(r.idempotencyScope(), x -> new ArrayList<>()).add(r.notification().idempotencyKey().orElseThrow());
        }
        Map<String, Object[]> held = new HashMap<>(); // scope \0 key -> {notification id, created_at}
        for (Map.Entry<String, List<String>> byScope : keysByScope.entrySet()) {
            List<String> keys = byScope.getValue();
            for (int from = 0; from < keys.size(); from += KEYS_PER_LOOKUP) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_LOOKUP));
                try (PreparedStatement ps = c.prepareStatement("SELECT idem_key, notification_id, created_at FROM notify_idempotency"
                        + " WHERE scope = ? AND idem_key IN (" + Sql.placeholders(chunk.size()) + ")")) {
                    customPlan(ps);
                    ps.setString(1, byScope.getKey());
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            held.put(scopedKey(byScope.getKey(), rs.getString(1)), new Object[] {rs.getString(2), rs.getLong(3)});
                        }
                    }
                }
            }
        }
        Map<Integer, Notification> existing = new HashMap<>();
        List<PublishRequest> fresh = new ArrayList<>(keyed.size());
        for (int i = 0; i < keyed.size(); i++) {
            PublishRequest r = keyed.get(i);
            Notification n = r.notification();
            String key = n.idempotencyKey().orElseThrow();
            Object[] row = held.get(scopedKey(r.idempotencyScope(), key));
            if (row == null) {
                fresh.add(r);
                continue;
            }
            String existingId = (String) row[0];
            if ((long) row[1] >= Sql.nanos(n.createdAt().minus(idempotencyWindow))) {
                Optional<Notification> first = Reads.notification(c, existingId);
                if (first.isPresent()) {
                    existing.put(i, first.get());
                    continue;
                }
            }
            // Expired (or its notification is gone): the key is free again. The condition makes
            // two concurrent takers conflict instead of both believing they own it.
            try (PreparedStatement up = c.prepareStatement("UPDATE notify_idempotency SET notification_id = ?, "
                    + "created_at = ? WHERE scope = ? AND idem_key = ? AND notification_id = ?")) {
                up.setString(1, n.id());
                up.setLong(2, Sql.nanos(n.createdAt()));
                up.setString(3, r.idempotencyScope());
                up.setString(4, key);
                up.setString(5, existingId);
                if (up.executeUpdate() != 1) {
                    throw new SQLException("idempotency key taken concurrently", Sql.UNIQUE_VIOLATION);
                }
            }
        }
        if (!fresh.isEmpty()) {
            // a concurrent publish that took one of these keys meanwhile fails the batch with a unique violation: run again
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO notify_idempotency (scope, idem_key, notification_id, created_at) VALUES (?, ?, ?, ?)")) {
                for (PublishRequest r : fresh) {
                    ins.setString(1, r.idempotencyScope());
                    ins.setString(2, r.notification().idempotencyKey().orElseThrow());
                    ins.setString(3, r.notification().id());
                    ins.setLong(4, Sql.nanos(r.notification().createdAt()));
                    ins.addBatch();
                }
                ins.executeBatch();
            }
        }
        return existing;
    }

    /**
     * Has PostgreSQL plan the statement for its values at every execution. Prepared on the server
     * (the driver's default from the fifth execution), it gets a generic plan made while the table
     * was small: a sequential scan, which a key look-up with hundreds of values then kept doing over
     * the whole table (0.65 s a batch at 100,000 keys, measured). Planned with the values, it
     * uses the primary key.
     */
    private static void customPlan(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(org.postgresql.PGStatement.class)) {
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
        }
    }

    private void insertNotifications(Connection c, List<PublishRequest> fresh) throws SQLException {
        if (db.dialect() == Dialect.POSTGRESQL && fresh.size() >= COPY_FROM) {
            CopyRows rows = new CopyRows();
            for (PublishRequest r : fresh) {
                Rows.copyNotification(rows, r.notification());
            }
            rows.into(c, "notify_notification", Rows.NOTIFICATION_WRITE_COLUMNS);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(Rows.INSERT_NOTIFICATION)) {
            for (PublishRequest r : fresh) {
                Rows.bindNotification(ps, r.notification());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void insertInbox(Connection c, List<PublishRequest> fresh) throws SQLException {
        int rows = 0;
        for (PublishRequest r : fresh) {
            if (r.notification().collapseKey().isEmpty()) {
                rows += r.notification().recipients().size();
            }
        }
        if (InboxCollapse.any(fresh)) {
            InboxCollapse.write(c, db.dialect(), fresh);
        }
        if (rows == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_INBOX)) {
            for (PublishRequest r : fresh) {
                Notification n = r.notification();
                if (n.collapseKey().isPresent()) {
                    continue;
                }
                long created = Sql.nanos(n.createdAt());
                for (String user : n.recipients()) {
                    if (!r.inInbox(user)) {
                        continue;
                    }
                    ps.setString(1, user);
                    ps.setString(2, n.id());
                    ps.setLong(3, created);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    private static List<List<DeliveryRecord>> insertDeliveries(Connection c, List<PublishRequest> fresh) throws SQLException {
        List<List<DeliveryRecord>> out = new ArrayList<>(fresh.size());
        int rows = 0;
        for (PublishRequest r : fresh) {
            rows += r.deliveries().size();
        }
        if (rows == 0) {
            for (int i = 0; i < fresh.size(); i++) {
                out.add(List.of());
            }
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_DELIVERY, new String[] {"id"})) {
            for (PublishRequest r : fresh) {
                Notification n = r.notification();
                long created = Sql.nanos(n.createdAt());
                for (NewDelivery d : r.deliveries()) {
                    Optional<Lease> lease = leaseFor(r, d);
                    ps.setString(1, n.id());
                    ps.setString(2, d.channel());
                    ps.setString(3, d.target());
                    ps.setShort(4, (short) n.priority().ordinal());
                    if (d.suppressedBecause().isPresent()) {
                        // a preference suppressed it: recorded as cancelled with the reason, never claimable
                        ps.setString(5, DeliveryStatus.CANCELLED.wireName());
                        ps.setNull(6, Types.BIGINT);
                        ps.setNull(7, Types.BIGINT);
                        ps.setNull(8, Types.VARCHAR);
                        ps.setNull(9, Types.BIGINT);
                        ps.setNull(10, Types.BIGINT);
                        ps.setString(13, d.suppressedBecause().get());
                    } else {
                        ps.setString(5, DeliveryStatus.PENDING.wireName());
                        ps.setLong(6, Sql.nanos(d.dueAt()));
                        ps.setLong(7, Sql.nanos(lease.isPresent() ? lease.get().until() : d.dueAt()));
                        if (lease.isPresent()) {
                            ps.setString(8, lease.get().owner());
                            ps.setLong(9, Sql.nanos(lease.get().until()));
                            ps.setLong(10, lease.get().token());
                        } else {
                            ps.setNull(8, Types.VARCHAR);
                            ps.setNull(9, Types.BIGINT);
                            ps.setNull(10, Types.BIGINT);
                        }
                        // held by quiet hours: the record says why until the attempt at their end
                        ps.setString(13, d.heldBecause().orElse(null));
                    }
                    ps.setLong(11, created);
                    ps.setLong(12, created);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                for (PublishRequest r : fresh) {
                    Notification n = r.notification();
                    List<DeliveryRecord> records = new ArrayList<>(r.deliveries().size());
                    for (NewDelivery d : r.deliveries()) {
                        if (!keys.next()) {
                            throw new SQLException("the driver returned fewer generated keys than delivery rows inserted");
                        }
                        boolean suppressed = d.suppressedBecause().isPresent();
                        records.add(new DeliveryRecord(keys.getLong(1), n.id(), d.channel(), d.target(), n.priority(),
                                suppressed ? DeliveryStatus.CANCELLED : DeliveryStatus.PENDING, 0,
                                suppressed ? Optional.empty() : Optional.of(d.dueAt()), suppressed ? d.suppressedBecause() : d.heldBecause(),
                                n.createdAt(), n.createdAt()));
                    }
                    out.add(List.copyOf(records));
                }
            }
        }
        return out;
    }

    /** A delivery due when the notification was accepted is created already leased, when the request asks for it. */
    private static Optional<Lease> leaseFor(PublishRequest r, NewDelivery d) {
        if (r.lease().isPresent() && !d.dueAt().isAfter(r.notification().createdAt())) {
            return r.lease();
        }
        return Optional.empty();
    }

    /**
     * Appends entries for a stored notification after everything in the log (a live event that
     * quiet hours held), aged from {@code at}; durable when it returns.
     */
    public List<EventLogEntry> appendEvents(String notificationId, List<Audience> audiences, Instant at) {
        if (audiences.isEmpty()) {
            return List.of();
        }
        List<EventLogEntry> out = db.inTransaction("appending event-log entries", c -> {
            Optional<Notification> n = Reads.notification(c, notificationId);
            if (n.isEmpty()) {
                return List.<EventLogEntry>of();
            }
            return appendEvents(c, List.of(new PublishRequest(n.get(), "", audiences, List.of(), Optional.empty())), at).get(0);
        });
        return out;
    }

    private List<List<EventLogEntry>> appendEvents(Connection c, List<PublishRequest> fresh) throws SQLException {
        return appendEvents(c, fresh, null);
    }

    // appendedAt: null for a publish (the entries age with their notification)
    private List<List<EventLogEntry>> appendEvents(Connection c, List<PublishRequest> fresh, Instant appendedAt) throws SQLException {
        int count = 0;
        for (PublishRequest r : fresh) {
            count += r.audiences().size();
        }
        List<List<EventLogEntry>> out = new ArrayList<>(fresh.size());
        if (count == 0) {
            for (int i = 0; i < fresh.size(); i++) {
                out.add(List.of());
            }
            return out;
        }
        if (db.dialect() == Dialect.POSTGRESQL) {
            return appendInOneStatement(c, fresh, count, appendedAt);
        }
        long last = allocate(c, count);
        long seq = last - count;
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            for (PublishRequest r : fresh) {
                Notification n = r.notification();
                long created = Sql.nanos(appendedAt != null ? appendedAt : n.createdAt());
                List<EventLogEntry> entries = new ArrayList<>(r.audiences().size());
                for (Audience a : r.audiences()) {
                    seq++;
                    ps.setLong(1, seq);
                    ps.setString(2, n.id());
                    if (a instanceof Audience.User) {
                        ps.setString(3, ((Audience.User) a).userId());
                        ps.setNull(4, Types.VARCHAR);
                    } else {
                        ps.setNull(3, Types.VARCHAR);
                        ps.setString(4, ((Audience.Topic) a).topic());
                    }
                    ps.setLong(5, created);
                    ps.addBatch();
                    entries.add(new EventLogEntry(seq, a, n));
                }
                out.add(List.copyOf(entries));
            }
            ps.executeBatch();
        }
        return out;
    }

    /**
     * PostgreSQL: takes the sequences and inserts the entries in one statement, so that the
     * log-state row lock is held for one round trip and the commit only.
     */
    private static List<List<EventLogEntry>> appendInOneStatement(Connection c, List<PublishRequest> fresh, int count,
                                                                  Instant appendedAt) throws SQLException {
        String[] ids = new String[count];
        String[] users = new String[count];
        String[] topics = new String[count];
        Long[] created = new Long[count];
        int k = 0;
        for (PublishRequest r : fresh) {
            Notification n = r.notification();
            for (Audience a : r.audiences()) {
                ids[k] = n.id();
                users[k] = a instanceof Audience.User ? ((Audience.User) a).userId() : null;
                topics[k] = a instanceof Audience.Topic ? ((Audience.Topic) a).topic() : null;
                created[k] = Sql.nanos(appendedAt != null ? appendedAt : n.createdAt());
                k++;
            }
        }
        long first;
        try (PreparedStatement ps = c.prepareStatement("WITH s AS (UPDATE notify_log_state SET last_seq = last_seq + ? WHERE id = 1 "
                + "RETURNING last_seq) INSERT INTO notify_event (seq, notification_id, user_id, topic, created_at) "
                + "SELECT s.last_seq - ? + v.ord, v.nid, v.uid, v.topic, v.created FROM s, "
                + "unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[]) WITH ORDINALITY AS v(nid, uid, topic, created, ord) "
                + "RETURNING seq")) {
            ps.setLong(1, count);
            ps.setLong(2, count);
            ps.setArray(3, c.createArrayOf("varchar", ids));
            ps.setArray(4, c.createArrayOf("varchar", users));
            ps.setArray(5, c.createArrayOf("varchar", topics));
            ps.setArray(6, c.createArrayOf("bigint", created));
            long min = Long.MAX_VALUE;
            int rows = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    min = Math.min(min, rs.getLong(1));
                    rows++;
                }
            }
            if (rows != count) {
                throw new SQLException("appended " + rows + " event-log entries instead of " + count);
            }
            first = min;
        }
        List<List<EventLogEntry>> out = new ArrayList<>(fresh.size());
        long seq = first;
        for (PublishRequest r : fresh) {
            List<EventLogEntry> entries = new ArrayList<>(r.audiences().size());
            for (Audience a : r.audiences()) {
                entries.add(new EventLogEntry(seq++, a, r.notification()));
            }
            out.add(List.copyOf(entries));
        }
        return out;
    }

    /** H2: reserves {@code count} sequences; the row lock taken here is held until commit (see the class comment). */
    private static long allocate(Connection c, int count) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT last_seq FROM FINAL TABLE (UPDATE notify_log_state SET last_seq = last_seq + ? WHERE id = 1)")) {
            ps.setLong(1, count);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

}
