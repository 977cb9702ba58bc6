package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract for users' preferences: saved whole per user, read one or many at a time,
 * forgotten when saved empty; a notification's transactional flag kept; deliveries that quiet hours hold,
 * and the held live events appended to the log when they end.
 *
 * <p>Part of {@link NotificationStoreContract}: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
public abstract class PreferencesContract extends StoreContractSupport {

    private static Preferences sample() {
        return new Preferences(false,
                List.of(new Preferences.OptOut(List.of("marketing.*"), List.of(), Set.of(Preferences.INBOX, Preferences.LIVE), false),
                        new Preferences.OptOut(List.of(), List.of("task:*"), Set.of(Preferences.OS), true)),
                Optional.of(new Preferences.QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 30), ZoneId.of("Europe/Berlin"), false)));
    }

    @Test
    @DisplayName("has no preferences for a user who saved none")
    void noneForStrangers() {
        assertThat(store().preferences().find("nobody")).isEqualTo(Preferences.NONE);
        assertThat(store().preferences().findAll(List.of("nobody", "else"))).isEmpty();
    }

    @Test
    @DisplayName("says whether anybody saved preferences: no on a fresh store, yes after a save, no once all are forgotten")
    void tellsWhetherAnyAreSaved() {
        assertThat(store().preferences().anySaved()).isFalse();
        store().preferences().save("u1", sample(), t(1));
        assertThat(store().preferences().anySaved()).isTrue();
        store().preferences().save("u1", Preferences.NONE, t(2));
        assertThat(store().preferences().anySaved()).isFalse();
    }

    @Test
    @DisplayName("keeps what a user saved, whole, and replaces it on the next save")
    void savesAndReplaces() {
        store().preferences().save("u1", sample(), t(1));
        assertThat(store().preferences().find("u1")).isEqualTo(sample());

        Preferences muted = new Preferences(true, List.of(), Optional.empty());
        store().preferences().save("u1", muted, t(2));

        assertThat(store().preferences().find("u1")).isEqualTo(muted);
    }

    @Test
    @DisplayName("reads the preferences of several users at once, leaving out those without")
    void readsMany() {
        store().preferences().save("u1", sample(), t(1));
        store().preferences().save("u2", new Preferences(true, List.of(), Optional.empty()), t(1));

        assertThat(store().preferences().findAll(List.of("u1", "u2", "u3")))
                .containsOnlyKeys("u1", "u2").containsEntry("u1", sample());
    }

    @Test
    @DisplayName("forgets a user's preferences saved empty")
    void forgetsEmpty() {
        store().preferences().save("u1", sample(), t(1));
        store().preferences().save("u1", Preferences.NONE, t(2));

        assertThat(store().preferences().findAll(List.of("u1"))).isEmpty();
    }

    @Test
    @DisplayName("keeps a notification's transactional flag")
    void keepsTransactional() {
        Notification n = notification().recipient("u1").transactional(true).build();
        store().save(request(n));

        assertThat(store().find(n.id())).hasValueSatisfying(found -> assertThat(found.transactional()).isTrue());
    }

    @Test
    @DisplayName("records a delivery a preference suppressed as cancelled with the reason, and never hands it out")
    void recordsSuppressedDeliveries() {
        Notification n = notification().recipient("u1").build();
        PublishRequest r = new PublishRequest(n, SCOPE, audiencesOf(n),
                List.of(NewDelivery.suppressed("system", "u1", T0, "suppressed by preference: the user muted notifications")),
                Optional.empty(), true, Set.of());

        DeliveryRecord d = store().save(r).deliveries().get(0);

        assertThat(d.status()).isEqualTo(DeliveryStatus.CANCELLED);
        assertThat(d.lastError()).contains("suppressed by preference: the user muted notifications");
        assertThat(store().deliveries(n.id())).singleElement().satisfies(stored -> {
            assertThat(stored.status()).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(stored.lastError()).contains("suppressed by preference: the user muted notifications");
        });
        assertThat(store().claimDue(t(60), 10, lease("node", t(120)))).isEmpty();
    }

    @Test
    @DisplayName("leaves the users a request names out of the inbox, and fills the others'")
    void leavesOptedOutUsersOutOfTheInbox() {
        Notification n = notification().recipients(List.of("u1", "u2")).build();

        store().save(new PublishRequest(n, SCOPE, audiencesOf(n), List.of(), Optional.empty(), true, Set.of("u1")));

        assertThat(store().stats("u1").total()).isZero();
        assertThat(store().stats("u2").total()).isEqualTo(1);
    }

    @Test
    @DisplayName("records a delivery quiet hours hold as pending until they end, with the reason, and hands it out only then")
    void recordsHeldDeliveries() {
        Notification n = notification().recipient("u1").build();
        PublishRequest r = new PublishRequest(n, SCOPE, audiencesOf(n),
                List.of(NewDelivery.held("system", "u1", t(3600), "held by preference: quiet hours until " + t(3600))),
                Optional.of(lease("node", t(60))), true, Set.of());

        DeliveryRecord d = store().save(r).deliveries().get(0);

        assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(d.nextAttemptAt()).contains(t(3600));
        assertThat(d.lastError()).contains("held by preference: quiet hours until " + t(3600));
        assertThat(store().deliveries(n.id())).singleElement()
                .satisfies(stored -> assertThat(stored.lastError()).contains("held by preference: quiet hours until " + t(3600)));
        assertThat(store().claimDue(t(3599), 10, lease("other", t(3700)))).as("not leased to the publisher, not due yet").isEmpty();
        assertThat(store().claimDue(t(3600), 10, lease("other", t(3700)))).extracting(DeliveryRecord::id).containsExactly(d.id());
    }

    @Test
    @DisplayName("appends a stored notification's held live event after everything in the log, for that audience only")
    void appendsHeldLiveEvents() {
        Notification held = notification().recipients(List.of("u1", "u2")).build();
        store().save(new PublishRequest(held, SCOPE, List.of(Audience.user("u2")), List.of(), Optional.empty()));
        Notification later = toUsers(t(1), "u1");
        long seen = store().save(request(later)).events().get(0).sequence();

        List<EventLogEntry> appended = store().appendEvents(held.id(), List.of(Audience.user("u1")), t(3600));

        assertThat(appended).singleElement().satisfies(e -> {
            assertThat(e.sequence()).isGreaterThan(seen);
            assertThat(e.audience()).isEqualTo(Audience.user("u1"));
            assertSameNotification(e.notification(), held);
        });
        assertThat(store().latestSequence()).isEqualTo(appended.get(0).sequence());
        assertThat(eventIds(store().readAfter(0, "u1", Set.of(), 10))).containsExactly(later.id(), held.id());
        assertThat(eventIds(store().readAfter(seen, "u1", Set.of(), 10))).as("a client that saw the later one resumes").containsExactly(held.id());
        assertThat(store().appendEvents("no-such-notification", List.of(Audience.user("u1")), t(3600))).isEmpty();
    }
}
