/**
 * Cluster signals between Notify nodes sharing one PostgreSQL database, through
 * {@code LISTEN}/{@code NOTIFY} on connections of its own: the engine named {@code postgres} of
 * {@link dev.notify.api.spi.ClusterSignalProvider}.
 */
module dev.notify.cluster.postgres {
    requires dev.notify.api;
    requires java.sql;
    // pgjdbc's PGConnection.getNotifications is how a LISTEN connection receives
    requires org.postgresql.jdbc;

    exports dev.notify.cluster.postgres;

    provides dev.notify.api.spi.ClusterSignalProvider with dev.notify.cluster.postgres.PostgresSignalsProvider;
}
