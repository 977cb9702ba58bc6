package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A data source with transaction helpers that turn {@link SQLException} into {@link StoreException}.
 *
 * <p>Writes return once they are durable ({@link Durability}): {@link #inTransaction},
 * {@link #inTransactionOrThrow} and {@link #write} wait for it after committing;
 * {@link #commitOnly} does not, for group committers (which hand the wait to their callers) and
 * for work that need not survive a crash (claims: a lease lost with the process is what lease
 * expiry is for anyway).
 */
public final class Database {

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Durability durability;

    public Database(DataSource dataSource, Dialect dialect, Durability durability) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.durability = durability;
    }

    public Dialect dialect() {
        return dialect;
    }

    public Durability durability() {
        return durability;
    }

    /** Runs {@code work} in one transaction: committed and durable when it returns, rolled back when it throws. */
    public <T> T inTransaction(String what, Work<T> work) {
        T result;
        try {
            result = commitOnly(work);
        } catch (SQLException e) {
            throw failure(what, e);
        }
        durability.await(what);
        return result;
    }

    /** Like {@link #inTransaction} but lets the caller see the {@link SQLException}. */
    public <T> T inTransactionOrThrow(Work<T> work) throws SQLException {
        T result = commitOnly(work);
        durability.await("a transaction");
        return result;
    }

    /** Like {@link #commitOnly(Work)}, turning an {@link SQLException} into a {@link StoreException}. */
    public <T> T commitOnly(String what, Work<T> work) {
        try {
            return commitOnly(work);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs {@code work} in one transaction, committed when it returns but not necessarily durable
     * yet: see {@link Durability#afterCommit()}.
     */
    public <T> T commitOnly(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** Runs a read in auto-commit mode. */
    public <T> T read(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs a single-statement write in auto-commit mode; durable when it returns. */
    public <T> T write(String what, Work<T> work) {
        T result = read(what, work);
        durability.await(what);
        return result;
    }

    public static RuntimeException failure(String what, SQLException e) {
        if (isNulCharacter(e)) {
            // the caller's text, not the database: PostgreSQL keeps no U+0000 in text (the driver refuses it in a
            // parameter, the server in a COPY); a StoreException would read as "the database is away, try again"
            return new IllegalArgumentException(what + " failed: a text contains the character U+0000 (NUL), which the database"
                    + " cannot store", e);
        }
        return new StoreException(what + " failed: " + e.getMessage(), e);
    }

    /** PostgreSQL refusing a NUL character: pgjdbc's "Zero bytes may not occur" (22023), or the server's 0x00 (22021). */
    static boolean isNulCharacter(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String m = String.valueOf(s.getMessage());
                if (m.contains("Zero bytes may not occur") || ("22021".equals(s.getSQLState()) && m.contains("0x00"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
