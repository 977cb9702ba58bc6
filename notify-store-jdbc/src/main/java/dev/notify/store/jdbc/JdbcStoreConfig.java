package dev.notify.store.jdbc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the database. With no JDBC URL, the store is an embedded H2 file database in
 * {@link #dataDirectory()}; with a {@code jdbc:postgresql:} or {@code jdbc:h2:} URL it uses that.
 *
 * <pre>{@code
 * JdbcStoreConfig config = JdbcStoreConfig.builder()
 *         .jdbcUrl("jdbc:postgresql://db.internal/notify")
 *         .user("notify").password(System.getenv("NOTIFY_DB_PASSWORD"))
 *         .poolSize(20)
 *         .build();
 * }</pre>
 *
 * <p>The configuration keys the server maps onto it are {@code store.jdbc-url},
 * {@code store.user}, {@code store.password} (sensitive), {@code store.pool-size},
 * {@code store.data-dir}, {@code store.connect-timeout} and {@code store.idempotency-window}.
 */
public final class JdbcStoreConfig {

    /** The H2 database file name inside the data directory (H2 adds {@code .mv.db}). */
    public static final String H2_FILE_NAME = "notify";

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int poolSize;
    private final Path dataDirectory;
    private final Duration connectTimeout;
    private final Duration idempotencyWindow;
    private final int groupCommitMax;

    private JdbcStoreConfig(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.user = b.user;
        this.password = b.password;
        this.poolSize = b.poolSize;
        this.dataDirectory = b.dataDirectory;
        this.connectTimeout = b.connectTimeout;
        this.idempotencyWindow = b.idempotencyWindow;
        this.groupCommitMax = b.groupCommitMax;
    }

    /** A builder with the defaults: embedded H2 under {@code ./data}, a pool of 10. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: embedded H2 under {@code dataDirectory}. */
    public static JdbcStoreConfig h2(Path dataDirectory) {
        return builder().dataDirectory(dataDirectory).build();
    }

    /** The JDBC URL; empty means embedded H2 in {@link #dataDirectory()}. */
    public Optional<String> jdbcUrl() {
        return Optional.ofNullable(jdbcUrl);
    }

    /** The JDBC URL actually used: the configured one, or the embedded H2 file's. */
    public String effectiveJdbcUrl() {
        if (jdbcUrl != null) {
            return jdbcUrl;
        }
        // "retry:" reopens the file when a thread is interrupted during I/O; with plain "file:" one
        // interrupted read (a shutdown, a cancelled task, a library user's own thread) closes the
        // channel and every later statement of the process fails with "Reading from file ... failed"
        return "jdbc:h2:retry:" + dataDirectory.toAbsolutePath().normalize().resolve(H2_FILE_NAME)
                + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The database user; empty when the URL carries it or none is needed. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The database password; never logged. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The most connections the pool holds. */
    public int poolSize() {
        return poolSize;
    }

    /** Where the embedded H2 database lives when no URL is configured. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** How long to wait for a connection, at start and from the pool. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long an idempotency key blocks a second publish with the same key. */
    public Duration idempotencyWindow() {
        return idempotencyWindow;
    }

    /**
     * Group commit: the most concurrent single publishes (or recorded attempts) that share one
     * transaction and one disk flush; 1 turns group commit off. Each call stays all-or-nothing.
     */
    public int groupCommitMax() {
        return groupCommitMax;
    }

    @Override
    public String toString() {
        return "JdbcStoreConfig[url=" + Redaction.url(effectiveJdbcUrl()) + ", user=" + user + ", poolSize=" + poolSize + "]";
    }

    /** Builds a {@link JdbcStoreConfig}. */
    public static final class Builder {
        private String jdbcUrl;
        private String user;
        private String password;
        private int poolSize = 10;
        private Path dataDirectory = Path.of("data");
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration idempotencyWindow = Duration.ofHours(24);
        private int groupCommitMax = 64;

        private Builder() {
        }

        /** The JDBC URL ({@code jdbc:postgresql:...} or {@code jdbc:h2:...}); null or blank means embedded H2. */
        public Builder jdbcUrl(String url) {
            if (url != null && !url.isBlank()) {
                String u = url.strip();
                if (!u.startsWith("jdbc:postgresql:") && !u.startsWith("jdbc:h2:")) {
                    throw new IllegalArgumentException("store.jdbc-url '" + Redaction.url(u)
                            + "' is not supported: use jdbc:postgresql://host:port/database or jdbc:h2:retry:/path (jdbc:h2:file: works too, but an interrupted thread can break it)");
                }
                this.jdbcUrl = u;
            } else {
                this.jdbcUrl = null;
            }
            return this;
        }

        /** The database user; null for none. */
        public Builder user(String user) {
            this.user = user == null || user.isBlank() ? null : user;
            return this;
        }

        /** The database password; null for none. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** The most pooled connections, 1 to 1000. */
        public Builder poolSize(int size) {
            if (size < 1 || size > 1000) {
                throw new IllegalArgumentException("store.pool-size must be between 1 and 1000, got " + size);
            }
            this.poolSize = size;
            return this;
        }

        /** Where the embedded H2 database is kept. */
        public Builder dataDirectory(Path dir) {
            this.dataDirectory = Objects.requireNonNull(dir, "dataDirectory");
            return this;
        }

        /** How long to wait for a connection; at least 250 ms. */
        public Builder connectTimeout(Duration timeout) {
            if (timeout.toMillis() < 250) {
                throw new IllegalArgumentException("store.connect-timeout must be at least 250ms, got " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** How long an idempotency key is remembered; positive. */
        public Builder idempotencyWindow(Duration window) {
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("store.idempotency-window must be positive, got " + window);
            }
            this.idempotencyWindow = window;
            return this;
        }

        /** How many concurrent single publishes or attempts may share one transaction, 1 (off) to 1000. */
        public Builder groupCommitMax(int max) {
            if (max < 1 || max > 1000) {
                throw new IllegalArgumentException("store.group-commit-max must be between 1 and 1000, got " + max);
            }
            this.groupCommitMax = max;
            return this;
        }

        /** The configuration. */
        public JdbcStoreConfig build() {
            return new JdbcStoreConfig(this);
        }
    }
}
