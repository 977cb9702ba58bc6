package dev.notify.server.internal;

import dev.notify.api.spi.NotificationStore;
import dev.notify.server.ServerSettings;
import dev.notify.store.jdbc.JdbcNotificationStore;
import dev.notify.store.jdbc.JdbcStoreConfig;

/** Opens the store the settings ask for: embedded H2 under the data directory, or the {@code --db-url} database. */
public final class Stores {

    private Stores() {
    }

    /**
     * The JDBC store of these settings; the caller owns and closes it.
     *
     * @throws dev.notify.api.spi.StoreException when the database cannot be reached or migrated
     */
    public static NotificationStore open(ServerSettings settings) {
        JdbcStoreConfig.Builder b = JdbcStoreConfig.builder()
                .dataDirectory(settings.dataDir())
                .jdbcUrl(settings.dbUrl().orElse(null))
                .user(settings.dbUser().orElse(null))
                .password(settings.dbPassword().orElse(null));
        return JdbcNotificationStore.open(b.build());
    }
}
