package dev.notify.store.jdbc;

import dev.notify.testkit.PostgresServer;

import dev.notify.api.spi.StoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("Opening the store")
class MigrationsTest {

    /** The newest migration this code ships on H2 (V8__collapse_index_appends.sql). */
    private static final String LATEST = "8";
    /** The newest on PostgreSQL (V9__deferred_index.sql, a partial index H2 cannot have). */
    private static final String LATEST_POSTGRES = "9";

    private static String latest(String url) {
        return url.startsWith("jdbc:h2:") ? LATEST : LATEST_POSTGRES;
    }


    private static Path freshH2Dir() {
        return Path.of("target", "h2", UUID.randomUUID().toString());
    }

    private static String h2Url(Path dir) {
        return JdbcStoreConfig.h2(dir).effectiveJdbcUrl();
    }

    @Test
    void migratesAFreshH2DatabaseToTheLatestVersion() throws Exception {
        Path dir = freshH2Dir();
        try (JdbcNotificationStore store = JdbcNotificationStore.openH2(dir)) {
            assertThat(store.latestSequence()).isZero();
            assertThat(store.describe()).startsWith("jdbc:h2:retry:").doesNotContain(";");
        }
        assertThat(highestVersion(h2Url(dir))).isEqualTo(LATEST);
    }

    @Test
    void migratesAFreshPostgresDatabaseToTheLatestVersion() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        try (JdbcNotificationStore store = JdbcNotificationStore.open(JdbcStoreConfig.builder().jdbcUrl(url).build())) {
            assertThat(store.latestSequence()).isZero();
        }
        assertThat(highestVersion(url)).isEqualTo(LATEST_POSTGRES);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE indexname = 'notify_delivery_deferred'")) {
            assertThat(rs.next()).as("the deferred rows' index").isTrue();
            assertThat(rs.getString(1)).contains("(channel, target, next_attempt_at)", "WHERE deferred");
        }
    }

    @Test
    void upgradesAVersion2H2DatabaseKeepingItsInboxes() throws Exception {
        Path dir = freshH2Dir();
        upgradesAVersion2DatabaseKeepingItsInboxes(h2Url(dir), JdbcStoreConfig.h2(dir));
    }

    @Test
    void upgradesAVersion2PostgresDatabaseKeepingItsInboxes() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        upgradesAVersion2DatabaseKeepingItsInboxes(url, JdbcStoreConfig.builder().jdbcUrl(url).build());
    }

    /** V3 re-creates the inbox's (user, notification) constraint: rows stay, and it still refuses a second pair. */
    private static void upgradesAVersion2DatabaseKeepingItsInboxes(String url, JdbcStoreConfig config) throws Exception {
        migrateTo(url, "2");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notify_notification (id, type, event, priority, recipients, title, body, data, channels, "
                    + "metadata, created_at) VALUES ('n1', 'info', 'message', 1, '[\"alice\"]', 'Hello', '', '{}', '[]', '{}', 1000)");
            s.executeUpdate("INSERT INTO notify_inbox (user_id, notification_id, created_at) VALUES ('alice', 'n1', 1000)");
        }
        assertThat(highestVersion(url)).isEqualTo("2");

        try (JdbcNotificationStore store = JdbcNotificationStore.open(config)) {
            assertThat(store.inbox(dev.notify.api.InboxQuery.firstPage("alice")).items())
                    .extracting(i -> i.notification().id()).containsExactly("n1");
            assertThat(store.mark("alice", java.util.List.of("n1"), true, java.time.Instant.now())).isEqualTo(1);
        }
        assertThat(highestVersion(url)).isEqualTo(latest(url));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO notify_inbox (user_id, notification_id, created_at) "
                    + "VALUES ('alice', 'n1', 2000)")).isInstanceOf(java.sql.SQLException.class);
        }
    }

    @Test
    void upgradesAVersion7H2DatabaseKeepingOneInboxItemPerCollapseKey() throws Exception {
        Path dir = freshH2Dir();
        upgradesAVersion7DatabaseKeepingOneItemPerCollapseKey(h2Url(dir), JdbcStoreConfig.h2(dir));
    }

    @Test
    void upgradesAVersion7PostgresDatabaseKeepingOneInboxItemPerCollapseKey() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        upgradesAVersion7DatabaseKeepingOneItemPerCollapseKey(url, JdbcStoreConfig.builder().jdbcUrl(url).build());
    }

    /**
     * V8 rebuilds the collapse keys' unique index so rows without a key stay out of its random pages:
     * a collapsed row stored before it is still the one the next update of its key takes over, and
     * the index still refuses a second row for the (user, key) while rows without a key never collide.
     */
    private static void upgradesAVersion7DatabaseKeepingOneItemPerCollapseKey(String url, JdbcStoreConfig config) throws Exception {
        migrateTo(url, "7");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO notify_notification (id, type, event, priority, recipients, title, body, data, channels, "
                    + "metadata, created_at, collapse_key) VALUES ('n1', 'info', 'task.progress', 1, '[\"alice\"]', '10%', '', '{}', '[]', "
                    + "'{}', 1000, 'task:7')");
            s.executeUpdate("INSERT INTO notify_inbox (user_id, notification_id, created_at, collapse_key) VALUES ('alice', 'n1', 1000, 'task:7')");
        }
        assertThat(highestVersion(url)).isEqualTo("7");

        try (JdbcNotificationStore store = JdbcNotificationStore.open(config)) {
            java.time.Instant now = java.time.Instant.now();
            for (int i = 2; i <= 3; i++) {
                dev.notify.api.Notification n = dev.notify.api.Notification.builder().id("n" + i).recipient("alice")
                        .event("task.progress").title(i * 10 + "%").collapseKey("task:7").createdAt(now.plusMillis(i)).build();
                store.save(new dev.notify.api.spi.PublishRequest(n, "test", java.util.List.of(dev.notify.api.Audience.user("alice")),
                        java.util.List.of(), java.util.Optional.empty()));
            }
            dev.notify.api.Notification plain = dev.notify.api.Notification.builder().id("n4").recipient("alice").title("plain")
                    .createdAt(now.plusMillis(4)).build();
            store.save(new dev.notify.api.spi.PublishRequest(plain, "test", java.util.List.of(dev.notify.api.Audience.user("alice")),
                    java.util.List.of(), java.util.Optional.empty()));
            assertThat(store.inbox(dev.notify.api.InboxQuery.firstPage("alice")).items())
                    .extracting(i -> i.notification().id()).containsExactlyInAnyOrder("n3", "n4");
            assertThat(store.stats("alice").total()).isEqualTo(2);
        }
        assertThat(highestVersion(url)).isEqualTo(latest(url));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO notify_inbox (user_id, notification_id, created_at, collapse_key) "
                    + "VALUES ('alice', 'n2', 2000, 'task:7')")).isInstanceOf(java.sql.SQLException.class);
            s.executeUpdate("INSERT INTO notify_inbox (user_id, notification_id, created_at) VALUES ('alice', 'n2', 2000)");
        }
    }

    /** Migrates the database at {@code url} with this code's scripts up to {@code version} only (an older deployment). */
    private static void migrateTo(String url, String version) {
        org.flywaydb.core.Flyway.configure(MigrationsTest.class.getClassLoader())
                .dataSource(url, null, null)
                .locations("classpath:dev/notify/store/jdbc/db/common",
                        "classpath:dev/notify/store/jdbc/db/" + (url.startsWith("jdbc:h2:") ? "h2" : "postgresql"))
                .table("notify_schema_history")
                .target(version)
                .load()
                .migrate();
    }

    @Test
    void reopensAnUpToDateDatabaseWithoutChangingIt() throws Exception {
        Path dir = freshH2Dir();
        JdbcNotificationStore.openH2(dir).close();
        JdbcNotificationStore.openH2(dir).close();
        assertThat(highestVersion(h2Url(dir))).isEqualTo(LATEST);
    }

    @Test
    void refusesAnH2DatabaseNewerThanTheCode() throws Exception {
        Path dir = freshH2Dir();
        JdbcNotificationStore.openH2(dir).close();
        pretendAFutureMigration(h2Url(dir));

        StoreException e = catchThrowableOfType(() -> JdbcNotificationStore.openH2(dir), StoreException.class);

        assertThat(e.getMessage()).contains("schema version 99", "newer than this Notify supports (" + LATEST + ")", "upgrade Notify")
                .doesNotContain("\n");
    }

    @Test
    void refusesAPostgresDatabaseNewerThanTheCode() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        JdbcStoreConfig config = JdbcStoreConfig.builder().jdbcUrl(url).build();
        JdbcNotificationStore.open(config).close();
        pretendAFutureMigration(url);

        assertThatThrownBy(() -> JdbcNotificationStore.open(config))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("newer than this Notify supports");
    }

    @Test
    void failsWithOneClearLineWhenNothingListensAtTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JdbcStoreConfig config = JdbcStoreConfig.builder()
                .jdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/notify?password=hunter2")
                .connectTimeout(Duration.ofSeconds(2))
                .build();

        StoreException e = catchThrowableOfType(() -> JdbcNotificationStore.open(config), StoreException.class);

        assertThat(e.getMessage())
                .startsWith("cannot connect to the database at jdbc:postgresql://127.0.0.1:" + port + "/notify")
                .contains("refused")
                .doesNotContain("\n")
                .doesNotContain("hunter2");
        assertThat(e.getCause()).as("no cause chain to print").isNull();
    }

    @Test
    void failsWithOneClearLineForAWrongPassword() {
        // trust authentication ignores passwords, so ask for a database that does not exist instead
        String url = PostgresServer.shared().url("no_such_database");

        StoreException e = catchThrowableOfType(
                () -> JdbcNotificationStore.open(JdbcStoreConfig.builder().jdbcUrl(url).build()), StoreException.class);

        assertThat(e.getMessage()).contains("cannot connect", "no_such_database").doesNotContain("\n");
    }

    @Test
    void refusesAnUnsupportedUrlAtConfiguration() {
        assertThatThrownBy(() -> JdbcStoreConfig.builder().jdbcUrl("jdbc:mysql://db/notify"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://host:port/database");
    }

    private static String highestVersion(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"version\" FROM \"notify_schema_history\" WHERE \"success\" "
                     + "ORDER BY \"installed_rank\" DESC")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void pretendAFutureMigration(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            // Flyway quotes its lower-case column names on H2, so quote them here too (harmless on PostgreSQL).
            s.executeUpdate("INSERT INTO \"notify_schema_history\" (\"installed_rank\", \"version\", \"description\", "
                    + "\"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\") "
                    + "VALUES (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test', 1, TRUE)");
        }
    }
}
