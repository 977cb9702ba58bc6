package dev.notify.core;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.Priority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Preferences through the Java API: applied once at publish time, recorded in the delivery records. */
class PreferencesEngineTest {

    // 23:00 in Berlin (UTC+1 in January): inside quiet hours from 22:00 to 07:00
    private static final Instant NOW = Instant.parse("2030-01-15T22:00:00Z");

    private final RecordingPushChannel sms = new RecordingPushChannel("sms");
    private NotificationService notify;

    private NotificationService start() {
        notify = NotificationService.builder().config(ServiceConfig.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build())
                .channel(sms).build();
        return notify;
    }

    @AfterEach
    void close() {
        notify.close(Duration.ofSeconds(5));
    }

    private static Notification.Builder to(String user, String event) {
        return Notification.builder().recipient(user).event(event).title(event);
    }

    private DeliveryRecord smsRecord(String id) {
        return notify.deliveries(id).stream().filter(d -> d.channel().equals("sms")).findFirst().orElseThrow();
    }

    @Test
    void aMutedUserGetsNothingButCriticalAndTransactionalAndTheRecordsSayWhy() {
        start().preferences().set("u1", new Preferences(true, List.of(), Optional.empty()));

        String muted = notify.notify(to("u1", "news.weekly").build());
        String critical = notify.notify(to("u1", "security.alert").priority(Priority.CRITICAL).build());
        String reset = notify.notify(to("u1", "account.password-reset").transactional(true).build());

        assertThat(smsRecord(muted).status()).isEqualTo(DeliveryStatus.CANCELLED);
        assertThat(smsRecord(muted).lastError()).hasValueSatisfying(e -> assertThat(e).contains("muted"));
        assertThat(smsRecord(critical).status()).isNotEqualTo(DeliveryStatus.CANCELLED);
        assertThat(smsRecord(reset).status()).isNotEqualTo(DeliveryStatus.CANCELLED);
        assertThat(notify.inbox().stats("u1").total()).as("critical and transactional reach the inbox").isEqualTo(2);
        assertThat(notify.preferences().get("u1").muted()).isTrue();
    }

    @Test
    void anOptOutByEventPatternOnOneChannelKindLeavesTheOthers() {
        start().preferences().set("u1", new Preferences(false,
                List.of(new Preferences.OptOut(List.of("marketing.*"), List.of(), Set.of(Preferences.INBOX), false)), Optional.empty()));

        String promo = notify.notify(to("u1", "marketing.promo").build());
        String task = notify.notify(to("u1", "task.completed").build());

        assertThat(notify.inbox().stats("u1").total()).as("only the task reached the inbox").isEqualTo(1);
        assertThat(smsRecord(promo).status()).as("sms was not opted out").isNotEqualTo(DeliveryStatus.CANCELLED);
        assertThat(smsRecord(task).status()).isNotEqualTo(DeliveryStatus.CANCELLED);
    }

    @Test
    void anOptOutOfAPluginChannelByTopicSuppressesOnlyThatChannelAndOnlyThatUser() {
        start().preferences().set("u1", new Preferences(false,
                List.of(new Preferences.OptOut(List.of(), List.of("build:*"), Set.of("sms"), false)), Optional.empty()));

        String id = notify.notify(Notification.builder().recipients(List.of("u1", "u2")).topic("build:42").title("built").build());

        List<DeliveryRecord> records = notify.deliveries(id);
        assertThat(records).filteredOn(d -> d.target().equals("u1")).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(d.lastError()).hasValueSatisfying(e -> assertThat(e).contains("opted out of topics [build:*] on [sms]"));
        });
        assertThat(records).filteredOn(d -> d.target().equals("u2")).singleElement()
                .satisfies(d -> assertThat(d.status()).isNotEqualTo(DeliveryStatus.CANCELLED));
        assertThat(notify.inbox().stats("u1").total()).isEqualTo(1);
    }

    @Test
    void quietHoursHoldOsNotificationsUntilTheyEndInTheUsersZoneWhileTheInboxKeepsThem() {
        start().preferences().set("u1", new Preferences(false, List.of(),
                Optional.of(new Preferences.QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0), ZoneId.of("Europe/Berlin"), false))));
        RecordingPushChannel system = new RecordingPushChannel("system");
        notify.registerChannel(system);

        String id = notify.notify(to("u1", "task.completed").channels(List.of("system")).build());
        String critical = notify.notify(to("u1", "security.alert").priority(Priority.CRITICAL).channels(List.of("system")).build());

        DeliveryRecord held = notify.deliveries(id).get(0);
        assertThat(held.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(held.nextAttemptAt()).contains(Instant.parse("2030-01-16T06:00:00Z"));
        assertThat(system.deliveries).extracting(d -> d.notification().id()).doesNotContain(id);
        assertThat(notify.deliveries(critical).get(0).nextAttemptAt().orElse(NOW)).isBeforeOrEqualTo(NOW);
        assertThat(notify.inbox().stats("u1").total()).isEqualTo(2);
    }
}
