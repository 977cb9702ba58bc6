package dev.notify.store.jdbc;

import dev.notify.testkit.PostgresServer;

import dev.notify.api.spi.NotificationStore;
import dev.notify.testkit.NotificationStoreContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("JdbcNotificationStore on PostgreSQL")
class PostgresStoreContractTest extends NotificationStoreContract {

    @Override
    protected NotificationStore createStore() {
        return JdbcNotificationStore.open(JdbcStoreConfig.builder()
                .jdbcUrl(PostgresServer.shared().createDatabase())
                .poolSize(4)
                .build());
    }
}
