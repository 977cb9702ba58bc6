package dev.notify.store.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.notify.api.spi.StoreException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Opens the pool and brings the schema up to date. Every failure becomes one
 * {@link StoreException} whose message is a single readable line (the URL without password,
 * what went wrong, what to do), without a cause chain to print.
 */
public final class Startup {

    /** The Flyway history table; prefixed like every other table of ours. */
    public static final String HISTORY_TABLE = "notify_schema_history";

    private Startup() {
    }

    public static HikariDataSource openPool(String url, String safeUrl, Dialect dialect, String user, String password,
                                            int poolSize, Duration connectTimeout, Path h2DataDirectory) {
        if (h2DataDirectory != null) {
            try {
                Files.createDirectories(h2DataDirectory);
            } catch (IOException e) {
                throw new StoreException("cannot create the data directory " + h2DataDirectory.toAbsolutePath() + ": " + e);
            }
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("notify-store");
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(Math.min(poolSize, 2));
        hc.setConnectionTimeout(connectTimeout.toMillis());
        hc.setInitializationFailTimeout(1);
        if (dialect == Dialect.POSTGRESQL) {
            hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
            hc.addDataSourceProperty("ApplicationName", "notify");
            // Batches of inserts become multi-row INSERTs: one statement per batch on the wire.
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        } else {
            // Appends queue on the log-state row lock; H2's default of 1 s is too short under load.
            hc.setConnectionInitSql("SET LOCK_TIMEOUT 10000");
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            if (dialect == Dialect.H2 && (rootMessage(e).contains("already in use") || rootMessage(e).contains("file is locked"))) {
                throw new StoreException("the embedded H2 database at " + safeUrl + " is in use by another process (another Notify "
                        + "node?). H2 is single-node: to run several nodes, point them all at one PostgreSQL database "
                        + "(--db-url jdbc:postgresql://host/db); to run one, stop the other process first");
            }
            throw new StoreException("cannot connect to the database at " + safeUrl + ": " + rootMessage(e)
                    + " (check store.jdbc-url, store.user and store.password, and that the database is running)");
        }
        if (dialect == Dialect.H2) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                // Write every commit to the file before it returns, so a killed process loses nothing it
                // acknowledged. An embedded database then switches to a write delay with the store writing
                // the commits itself (Durability.forH2); a remote one (jdbc:h2:tcp:) stays like this.
                s.execute("SET WRITE_DELAY 0");
            } catch (SQLException e) {
                ds.close();
                throw new StoreException("cannot configure the H2 database at " + safeUrl + ": " + e.getMessage());
            }
        }
        return ds;
    }

    /** Applies the migrations, refusing a database whose schema is newer than this code. */
    public static void migrate(HikariDataSource ds, Dialect dialect, String safeUrl) {
        try {
            Flyway flyway = Flyway.configure(Startup.class.getClassLoader())
                    .dataSource(ds)
                    .locations(dialect.migrationLocations())
                    .table(HISTORY_TABLE)
                    .load();
            MigrationVersion known = MigrationVersion.EMPTY;
            MigrationInfo newest = null;
            for (MigrationInfo m : flyway.info().all()) {
                MigrationState s = m.getState();
                if (s == MigrationState.FUTURE_SUCCESS || s == MigrationState.FUTURE_FAILED) {
                    if (newest == null || m.getVersion().compareTo(newest.getVersion()) > 0) {
                        newest = m;
                    }
                } else if (m.getVersion() != null && m.getVersion().compareTo(known) > 0) {
                    known = m.getVersion();
                }
            }
            if (newest != null) {
                throw new StoreException("the database at " + safeUrl + " has schema version " + newest.getVersion()
                        + ", newer than this Notify supports (" + known + "): upgrade Notify or use another database");
            }
            flyway.migrate();
        } catch (FlywayException e) {
            throw new StoreException("migrating the database schema at " + safeUrl + " failed: " + firstLine(e.getMessage()));
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return firstLine(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String trimmed = s.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }
}
