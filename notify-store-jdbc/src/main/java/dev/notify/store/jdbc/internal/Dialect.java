package dev.notify.store.jdbc.internal;

/** What differs between the databases we support. */
public enum Dialect {
    /** Embedded H2: one node (the database file is locked by one process). */
    H2("h2"),
    /** PostgreSQL: several nodes may share it. */
    POSTGRESQL("postgresql");

    private final String folder;

    Dialect(String folder) {
        this.folder = folder;
    }

    public static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException("unsupported JDBC URL: expected jdbc:postgresql: or jdbc:h2:");
    }

    /** Flyway locations: the shared scripts, then this database's own. */
    public String[] migrationLocations() {
        return new String[] {"classpath:dev/notify/store/jdbc/db/common", "classpath:dev/notify/store/jdbc/db/" + folder};
    }
}
