package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Retention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract for {@code prune} beyond the event log: sent and cancelled deliveries past
 * their age, and old notifications with their inbox items and deliveries, never while one of
 * those is still pending or retrying.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class RetentionContract extends StoreContractSupport {

    private static final Duration DAY = Duration.ofDays(1);

    /** Events and idempotency keys kept long; deliveries for an hour; notifications for {@code notificationMaxAge}. */
    private Retention retention(Duration notificationMaxAge) {
        return new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(24), Duration.ofHours(1), notificationMaxAge);
    }

    @Test
    @DisplayName("the three-argument constructor and DEFAULT keep sent deliveries for 7 days and notifications for 90")
    void defaults() {
        Retention r = new Retention(Duration.ofDays(1), 10, Duration.ofHours(1));
        assertThat(r.deliveryMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(r.notificationMaxAge()).isEqualTo(Duration.ofDays(90));
        assertThat(Retention.DEFAULT.deliveryMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(Retention.DEFAULT.notificationMaxAge()).isEqualTo(Duration.ofDays(90));
    }

    @Test
    @DisplayName("removes a sent delivery and its attempts past deliveryMaxAge and keeps a recent one")
    void removesOldSentDeliveries() {
        DeliveryRecord old = saveOneDelivery(Priority.NORMAL, T0);
        markRetrying(old.id(), t(1), t(2));
        store().recordAttempt(attempt(old.id(), 2, t(2), DeliveryResult.sent()), DeliveryStatus.SENT, Optional.empty());
        DeliveryRecord recent = saveOneDelivery(Priority.NORMAL, T0);
        markSent(recent.id(), t(200));
        assertThat(store().attempts(old.id())).hasSize(2);

        store().prune(t(3700), retention(Duration.ofDays(90)));

        assertThat(store().delivery(old.id())).isEmpty();
        assertThat(store().attempts(old.id())).isEmpty();
        assertThat(store().deliveries(old.notificationId())).isEmpty();
        assertThat(store().delivery(recent.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
        assertThat(store().attempts(recent.id())).hasSize(1);
        assertThat(ids(store().deliveriesTo("webhook", "ep1", Optional.empty(), 10).items())).containsExactly(recent.id());
        assertThat(store().countByStatus().getOrDefault(DeliveryStatus.SENT, 0L)).isEqualTo(1);
        assertThat(store().find(old.notificationId())).as("the notification is younger than notificationMaxAge").isPresent();
        assertThat(store().stats("u1").total()).isEqualTo(2);
    }

    @Test
    @DisplayName("never removes a pending or retrying delivery, nor its notification")
    void keepsPendingAndRetryingDeliveries() {
        DeliveryRecord pending = saveOneDelivery(Priority.NORMAL, T0);
        DeliveryRecord retrying = saveOneDelivery(Priority.NORMAL, T0);
        markRetrying(retrying.id(), t(1), t(500));
        Notification mixed = notification().recipient("u2").build();
        List<DeliveryRecord> m = store().save(request(mixed, webhook("ep2", T0), webhook("ep3", T0))).deliveries();
        markFailed(m.get(0).id(), t(1));
        Instant muchLater = T0.plus(Duration.ofDays(400));

        store().prune(muchLater, retention(DAY));

        assertThat(store().find(mixed.id())).as("a notification with a pending delivery").isPresent();
        assertThat(ids(store().deadLetters(Optional.empty(), 10).items()))
                .as("its dead letter stays with it").containsExactly(m.get(0).id());

        assertThat(store().delivery(pending.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.PENDING);
        assertThat(store().delivery(retrying.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.RETRYING);
        assertThat(store().attempts(retrying.id())).hasSize(1);
        assertThat(store().find(pending.notificationId())).isPresent();
        assertThat(store().find(retrying.notificationId())).isPresent();
        assertThat(ids(store().claimDue(muchLater, 10, lease("node-a", muchLater.plusSeconds(60)))))
                .containsExactlyInAnyOrder(pending.id(), retrying.id(), m.get(1).id());
    }

    @Test
    @DisplayName("keeps a dead letter past deliveryMaxAge and removes it with its notification")
    void keepsDeadLettersUntilTheNotificationGoes() {
        DeliveryRecord dead = saveOneDelivery(Priority.NORMAL, T0);
        markFailed(dead.id(), t(1));
        Retention retention = retention(Duration.ofDays(30));

        store().prune(T0.plus(Duration.ofDays(29)), retention);

        assertThat(ids(store().deadLetters(Optional.empty(), 10).items())).containsExactly(dead.id());
        assertThat(store().attempts(dead.id())).hasSize(1);
        assertThat(store().find(dead.notificationId())).isPresent();

        store().prune(T0.plus(Duration.ofDays(31)), retention);

        assertThat(store().deadLetters(Optional.empty(), 10).items()).isEmpty();
        assertThat(store().delivery(dead.id())).isEmpty();
        assertThat(store().attempts(dead.id())).isEmpty();
        assertThat(store().find(dead.notificationId())).isEmpty();
        assertThat(store().countByStatus().getOrDefault(DeliveryStatus.FAILED, 0L)).isZero();
    }

    @Test
    @DisplayName("removes a notification past notificationMaxAge from find, the inbox, its stats and the log")
    void removesOldNotifications() {
        Notification old = toUsers(T0, "u1", "u2");
        List<DeliveryRecord> d = store().save(request(old, webhook("ep1", T0), webhook("ep2", T0))).deliveries();
        markSent(d.get(0).id(), t(1));
        markFailed(d.get(1).id(), t(1));
        store().mark("u2", List.of(old.id()), true, t(2));
        Notification recent = toUsers(t(200), "u1");
        store().save(request(recent));

        store().prune(t(86_400 + 150), new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(24),
                Duration.ofDays(7), DAY));

        assertThat(store().find(old.id())).isEmpty();
        assertThat(store().find(recent.id())).isPresent();
        assertThat(notificationIds(store().inbox(new InboxQuery("u1", false, Optional.empty(), 10)).items())).containsExactly(recent.id());
        assertThat(store().inbox(new InboxQuery("u2", false, Optional.empty(), 10)).items()).isEmpty();
        assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
        assertThat(store().stats("u2")).isEqualTo(new InboxStats(0, 0, 0));
        assertThat(store().deliveries(old.id())).isEmpty();
        assertThat(store().delivery(d.get(0).id())).isEmpty();
        assertThat(store().attempts(d.get(1).id())).isEmpty();
        assertThat(store().deadLetters(Optional.empty(), 10).items()).isEmpty();
        EventLogSlice log = store().readAfter(0, "u1", Set.of(), 10);
        assertThat(eventIds(log)).containsExactly(recent.id());
        assertThat(log.pruned()).isTrue();
    }
}
