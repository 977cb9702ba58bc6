package dev.notify.server.internal;

import dev.notify.api.spi.NotificationStore;
import dev.notify.core.memory.InMemoryNotificationStore;
import dev.notify.server.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the store the settings ask for. */
public final class Stores {

    private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

    private Stores() {
    }

    /** The store of these settings; the caller owns and closes it. */
    public static NotificationStore open(ServerSettings settings) {
        // TODO(notify-store-jdbc): open JdbcNotificationStore (embedded H2 under the data dir, or --db-url)
        LOG.warn("the JDBC store is not part of this build yet: notifications are kept in memory only");
        return new InMemoryNotificationStore();
    }
}
