package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.StoreException;

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
 * <p>Embedded H2 ({@link #h2Checkpoints}): H2 commits a transaction in memory and writes it to the
 * file when its MVStore is next stored. The store runs H2 with a write delay (so a commit does not
 * store) and stores with {@code CHECKPOINT} before it answers: either right away on the
 * committing thread ({@link #writeNow()}), or on a thread of its own: a committer asks for
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

    /** An H2 database with a write delay: one thread stores its commits with {@code CHECKPOINT}, on demand. */
    public static Durability h2Checkpoints(DataSource dataSource) {
        return new H2Checkpoints(dataSource);
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

        H2Checkpoints(DataSource dataSource) {
            this.dataSource = dataSource;
            try {
                // Fails here, with a clear message, when the user may not run CHECKPOINT (it needs admin rights).
                checkpoint();
            } catch (SQLException e) {
                throw new StoreException("cannot store the H2 database (CHECKPOINT needs an admin user): " + e.getMessage(), e);
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
                try (Statement s = c.createStatement()) {
                    s.execute("CHECKPOINT");
                }
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
