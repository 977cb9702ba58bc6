package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** A data source with transaction helpers that turn {@link SQLException} into {@link StoreException}. */
public final class Database {

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final Dialect dialect;

    public Database(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(String what, Work<T> work) {
        try {
            return inTransactionOrThrow(work);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Like {@link #inTransaction} but lets the caller see the {@link SQLException}. */
    public <T> T inTransactionOrThrow(Work<T> work) throws SQLException {
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

    /** Runs a read (or a single-statement write) in auto-commit mode. */
    public <T> T read(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    public static StoreException failure(String what, SQLException e) {
        return new StoreException(what + " failed: " + e.getMessage(), e);
    }
}
