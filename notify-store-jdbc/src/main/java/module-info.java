/**
 * A durable {@link dev.notify.api.spi.NotificationStore} over JDBC: embedded H2 by default,
 * PostgreSQL for production and for several nodes sharing one database. Open one with
 * {@link dev.notify.store.jdbc.JdbcNotificationStore#open(dev.notify.store.jdbc.JdbcStoreConfig)}.
 */
module dev.notify.store.jdbc {
    requires transitive dev.notify.api;
    requires transitive java.sql;

    requires com.zaxxer.hikari;
    // Flyway (13 as 10) has no Automatic-Module-Name: these names derive from the jar file names.
    requires flyway.core;
    requires flyway.database.postgresql;
    requires jakarta.json;
    requires jakarta.json.bind;
    // Drivers are found by JDBC through ServiceLoader; requiring them keeps them in the module graph.
    requires com.h2database;
    requires org.postgresql.jdbc;

    exports dev.notify.store.jdbc;

    // Flyway reads the migration scripts as resources of these (resource-only) packages.
    opens dev.notify.store.jdbc.db.common;
    opens dev.notify.store.jdbc.db.h2;
    opens dev.notify.store.jdbc.db.postgresql;
}
