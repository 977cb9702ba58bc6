package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.StoreException;

import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When a committed transaction is on disk.
 *
 * <p>PostgreSQL: when {@code commit()} returns ({@link #immediate()}).
 *
 * <p>Embedded H2 ({@link #forH2}): H2 commits a transaction in memory and writes it to the file
 * when its MVStore is next stored. The store runs H2 with a write delay (so a commit does not
 * store) and stores the MVStore itself before it answers (a checkpoint: what {@code CHECKPOINT}
 * runs, and then a wait for H2's background write pipeline, which {@code CHECKPOINT} skips when
 * H2's own writer took the changes first): either right away on the committing thread
 * ({@link #writeNow()}), or on a thread of its own: a committer asks for
 * {@link #afterCommit()} once its transaction is committed and hands the outcome to its callers
 * when the future completes, which is after a checkpoint that began after the commit. Meanwhile
 * the committer runs its next transaction, so H2's expensive halves, executing statements and
 * committing them in memory on one side, serialising the changed pages into a chunk on the other,
 * overlap on two threads; every commit made while a checkpoint runs shares the next one. (With
 * {@code WRITE_DELAY 0} each commit stored its own chunk in the committing thread: 39% of the
 * publish committer's time, docs/benchmarks-store.md.)
 *
 * <p>Readers of H2 can see a transaction between its commit and its checkpoint; a process killed
 * in between loses it (its caller was never told it succeeded). For the event log, where a client
 * remembers the last sequence it saw, that would let a sequence be handed out twice, so the log is
 * read only up to {@link #durableSequence()}: the last sequence that was committed when the latest
 * finished checkpoint began.
 */
public abstract class Durability implements AutoCloseable {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Completes once every transaction committed before this call is durable. */
    public abstract CompletableFuture<Void> afterCommit();

    /** Makes every transaction committed before this call durable, on the calling thread. */
    public abstract void writeNow();

    /** Event-log entries up to this sequence are durable; {@link Long#MAX_VALUE} when commits are durable at once. */
    public abstract long durableSequence();

    /** Blocks until every transaction committed before this call is durable. */
    public final void await(String what) {
        try {
            afterCommit().join();
        } catch (CompletionException e) {
            // "<what> failed: the transaction was committed, but writing it to the H2 file failed: ...", like Database.failure
            throw new StoreException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
    }

    /** Commits are durable when they return. */
    public static Durability immediate() {
        return new Durability() {
            @Override
            public CompletableFuture<Void> afterCommit() {
                return DONE;
            }

            @Override
            public void writeNow() {
            }

            @Override
            public long durableSequence() {
                return Long.MAX_VALUE;
            }
        };
    }

    /**
     * For an H2 database: an embedded one (in this process) gets a write delay and {@link H2Checkpoints};
     * a remote one ({@code jdbc:h2:tcp:}, whose store this process cannot reach) keeps {@code WRITE_DELAY 0},
     * which writes each commit before it returns: {@link #immediate()}.
     */
    public static Durability forH2(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            if (mvStore(c) == null) {
                return immediate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("SET WRITE_DELAY " + H2Checkpoints.WRITE_DELAY_MILLIS);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot configure the H2 database: " + e.getMessage(), e);
        }
        return new H2Checkpoints(dataSource);
    }

    /** The MVStore of the embedded database behind {@code c}; null for a remote (tcp) one. */
    static MVStore mvStore(Connection c) throws SQLException {
        Session session = c.unwrap(JdbcConnection.class).getSession();
        return session instanceof SessionLocal ? ((SessionLocal) session).getDatabase().getStore().getMvStore() : null;
    }

    /** For tests: runs on the checkpoint thread before each of its checkpoints. */
    interface BeforeCheckpoint {
        void run() throws SQLException, InterruptedException;
    }

    static final class H2Checkpoints extends Durability {

        private final DataSource dataSource;
        private final Thread thread;
        private final Object lock = new Object();
        /** Completed by the next checkpoint to begin; replaced when it begins. */
        private CompletableFuture<Void> next = new CompletableFuture<>();
        private boolean requested;
        private boolean closed;
        private final AtomicLong durableSequence = new AtomicLong();
        volatile BeforeCheckpoint beforeCheckpoint = () -> { };

        /** H2's own writer: how soon it stores changes nobody waits for (claims), and how often it compacts the file. */
        static final int WRITE_DELAY_MILLIS = 500;

        H2Checkpoints(DataSource dataSource) {
            this.dataSource = dataSource;
            try {
                checkpoint();
            } catch (SQLException e) {
                throw new StoreException("cannot write the H2 database: " + e.getMessage(), e);
            }
            thread = new Thread(this::run, "notify-store-h2-checkpoint");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public CompletableFuture<Void> afterCommit() {
            synchronized (lock) {
                if (closed) {
                    // close() ran the last checkpoint; anything committed since is stored when H2 closes.
                    return CompletableFuture.failedFuture(new StoreException(
                            "the store was closed while this was committed; H2 writes it to the file as it closes"));
                }
                requested = true;
                lock.notifyAll();
                return next;
            }
        }

        @Override
        public long durableSequence() {
            return durableSequence.get();
        }

        private void run() {
            while (true) {
                CompletableFuture<Void> current;
                synchronized (lock) {
                    while (!requested && !closed) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            // only close() interrupts, after setting closed
                        }
                    }
                    if (!requested) {
                        return;
                    }
                    requested = false;
                    current = next;
                    next = new CompletableFuture<>();
                }
                // Every commit that asked for "current" happened before this point.
                try {
                    beforeCheckpoint.run();
                    checkpoint();
                    current.complete(null);
                } catch (SQLException e) {
                    current.completeExceptionally(new StoreException(
                            "the transaction was committed, but writing it to the H2 file failed: " + e.getMessage(), e));
                } catch (InterruptedException e) {
                    current.completeExceptionally(new StoreException(
                            "the transaction was committed, but the store was closed before it was written to disk"));
                } catch (RuntimeException | Error e) {
                    current.completeExceptionally(e);
                }
            }
        }

        @Override
        public void writeNow() {
            try {
                checkpoint();
            } catch (SQLException e) {
                throw new StoreException("the transaction was committed, but writing it to the H2 file failed: " + e.getMessage(), e);
            }
        }

        /**
         * Stores every change committed before it began, and moves {@link #durableSequence()} on to the
         * last event-log sequence committed when it began (read first, so it is covered: a group still
         * holding the log-state row has not committed, and its update is not visible yet).
         */
        private void checkpoint() throws SQLException {
            long seq;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM notify_log_state WHERE id = 1");
                     ResultSet rs = ps.executeQuery()) {
                    seq = rs.next() ? rs.getLong(1) : 0;
                }
                MVStore store = mvStore(c);
                // What CHECKPOINT runs: store everything, and return once it is in the file.
                if (store.commit() < 0) {
                    // Nothing was left to store: H2's own writer thread, or a statement whose changes filled H2's
                    // buffer, may have taken these changes into a store that H2 writes in the background
                    // (MVStore.tryCommit "may return before the changes are persisted"). Wait until H2's
                    // write pipeline is empty, so that they are in the file too.
                    store.executeFilestoreOperation(() -> { });
                }
            } catch (MVStoreException e) {
                throw new SQLException(e.getMessage(), e);
            }
            durableSequence.accumulateAndGet(seq, Math::max);
        }

        @Override
        public void close() {
            synchronized (lock) {
                closed = true;
                lock.notifyAll();
            }
            try {
                // Runs the last requested checkpoint, if any, then ends.
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                thread.interrupt();
            }
        }
    }
}
