package dev.notify.store.jdbc;

import dev.notify.api.spi.NotificationStore;
import dev.notify.testkit.NotificationStoreContract;
import org.junit.jupiter.api.DisplayName;

import java.nio.file.Path;
import java.util.UUID;

@DisplayName("JdbcNotificationStore on embedded H2")
class H2StoreContractTest extends NotificationStoreContract {

    @Override
    protected NotificationStore createStore() {
        return JdbcNotificationStore.open(JdbcStoreConfig.builder()
                .dataDirectory(Path.of("target", "h2", UUID.randomUUID().toString()))
                .poolSize(4)
                .build());
    }
}
