package dev.notify.core.memory;

import dev.notify.api.spi.NotificationStore;
import dev.notify.testkit.NotificationStoreContract;

/** The in-memory store against the store contract every implementation passes. */
class InMemoryNotificationStoreTest extends NotificationStoreContract {

    @Override
    protected NotificationStore createStore() {
        return new InMemoryNotificationStore();
    }
}
