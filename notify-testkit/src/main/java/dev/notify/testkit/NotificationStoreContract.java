package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Notification;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The contract every {@link NotificationStore} passes. An implementation extends it and says how
 * to make a fresh, empty store:
 *
 * <pre>{@code
 * class PostgresStoreContractTest extends NotificationStoreContract {
 *     @Override
 *     protected NotificationStore createStore() {
 *         return JdbcNotificationStore.open(JdbcStoreConfig.builder()
 *                 .jdbcUrl(PostgresServer.shared().createDatabase()).build());
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets its own store from {@link #createStore()} and closes it afterwards. Time never
 * comes from a clock: every instant is passed in explicitly, starting at {@link #T0}, and all
 * instants have at most microsecond precision, since SQL timestamps keep no more.
 *
 * <p>The tests are grouped by the store's areas, one file each, which the nested classes below
 * run: {@link PublishingContract}, {@link EventLogContract}, {@link DeliveriesContract},
 * {@link DeferralsContract}, {@link RetentionContract}, {@link InboxContract}, {@link WebhookEndpointsContract} and
 * {@link ConcurrencyContract}. Their helpers, in {@link StoreContractSupport}, serve an
 * implementation's own extra tests too.
 *
 * <p>Where the SPI leaves a choice, the contract fixes it as follows, so that every store behaves
 * alike:
 * <ul>
 *   <li>saving a notification whose id is already stored fails with {@link IllegalArgumentException}
 *       or {@link StoreException} and stores nothing (in a batch: nothing of the batch);</li>
 *   <li>with a lease, "due now" means due at or before the notification's {@code createdAt};</li>
 *   <li>the age of an event-log entry and of an idempotency key is that of the notification's
 *       {@code createdAt};</li>
 *   <li>a lease held until {@code u} has lapsed for a claim at {@code now} when {@code now} is not
 *       before {@code u} (the tests stay clear of the boundary either way);</li>
 *   <li>numbers in {@link Notification#data()} may come back as another {@link Number} type (a JSON
 *       column yields {@link BigDecimal}s); they must keep their value.</li>
 * </ul>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public abstract class NotificationStoreContract extends StoreContractSupport {

    /** A store made fresh for the current test; {@link #store()} returns it too. */
    protected NotificationStore store;

    /** A new, empty store; the contract closes it after each test. */
    protected abstract NotificationStore createStore();

    @Override
    protected NotificationStore store() {
        return store;
    }

    @BeforeEach
    void openStore() {
        store = createStore();
        assertThat(store).as("createStore()").isNotNull();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // Each area runs against the store this class opened for the test: the nested class hands it over.

    @Nested
    @DisplayName("publishing")
    class Publishing extends PublishingContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("the event log")
    class TheEventLog extends EventLogContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("deliveries")
    class Deliveries extends DeliveriesContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("deferred deliveries brought forward")
    class DeferredDeliveries extends DeferralsContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("retention of deliveries and notifications")
    class RetentionOfDeliveriesAndNotifications extends RetentionContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("users' preferences")
    class UsersPreferences extends PreferencesContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("the inbox")
    class TheInbox extends InboxContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("webhook endpoints")
    class WebhookEndpoints extends WebhookEndpointsContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("under concurrency")
    class UnderConcurrency extends ConcurrencyContract {
        @Override
        protected NotificationStore store() {
            return NotificationStoreContract.this.store;
        }
    }

    @Nested
    @DisplayName("the store itself")
    class TheStoreItself {

        @Test
        @DisplayName("describes itself for logs")
        void describesItself() {
            assertThat(store.describe()).isNotBlank();
        }

        @Test
        @DisplayName("can be closed twice without an exception")
        void closesIdempotently() {
            NotificationStore other = createStore();
            assertThatCode(() -> {
                other.close();
                other.close();
            }).doesNotThrowAnyException();
        }
    }
}
