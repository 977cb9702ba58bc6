package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Quiet hours hold what they hold until they end, in the user's zone: push deliveries and the live event. */
@DisplayName("Quiet hours")
class QuietHoursTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Preferences NIGHTS = new Preferences(false, List.of(),
            Optional.of(new Preferences.QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0), BERLIN, false)));

    private final LiveStream live = new LiveStream();
    private final RecordingPushChannel system = new RecordingPushChannel("system");
    private final RecordingPushChannel slack = new RecordingPushChannel("slack");
    private MutableClock clock;
    private NotificationService notify;

    /** A stream channel that records each notification's entries as the tailer hands them over. */
    private static final class LiveStream implements Channel {
        final LinkedBlockingQueue<EventLogEntry> entries = new LinkedBlockingQueue<>();

        @Override
        public String name() {
            return "sse";
        }

        @Override
        public ChannelKind kind() {
            return ChannelKind.STREAM;
        }

        @Override
        public DeliveryResult deliver(Delivery delivery) {
            entries.addAll(delivery.events());
            return DeliveryResult.sent();
        }

        EventLogEntry next() throws InterruptedException {
            EventLogEntry e = entries.poll(5, TimeUnit.SECONDS);
            assertThat(e).as("a live entry within 5 s").isNotNull();
            return e;
        }
    }

    private NotificationService start(Instant at) {
        clock = new MutableClock(at);
        notify = NotificationService.builder()
                .config(ServiceConfig.builder().clock(clock).pollInterval(Duration.ofMillis(10)).build())
                .channel(live).channel(system).channel(slack).build();
        notify.preferences().set("night-owl", NIGHTS);
        return notify;
    }

    @AfterEach
    void close() {
        if (notify != null) {
            notify.close(Duration.ofSeconds(5));
        }
    }

    private static Notification.Builder to(String... users) {
        return Notification.builder().recipients(List.of(users)).event("task.completed").title("done");
    }

    private DeliveryRecord record(String id, String channel, String target) {
        return notify.deliveries(id).stream().filter(d -> d.channel().equals(channel) && d.target().equals(target))
                .findFirst().orElseThrow();
    }

    /** Waits for the delivery to reach {@code status}; the tracker claims due ones every 10 ms. */
    private DeliveryRecord await(String id, String channel, String target, DeliveryStatus status) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        DeliveryRecord d = record(id, channel, target);
        while (d.status() != status && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            d = record(id, channel, target);
        }
        return d;
    }

    @Test
    void aLiveEventHeldOverMidnightReachesTheStreamWhenTheyEndAsANewEntryAndNeverBefore() throws Exception {
        // 23:30 in Berlin (UTC+1 in January): the quiet hours end at 07:00 Berlin, 06:00 UTC, the next day
        start(Instant.parse("2030-01-15T22:30:00Z"));

        String held = notify.notify(to("night-owl", "early-bird").build());
        EventLogEntry others = live.next();
        String later = notify.notify(to("night-owl", "early-bird").priority(Priority.CRITICAL).build());
        EventLogEntry critical1 = live.next();
        EventLogEntry critical2 = live.next();

        assertThat(others.audience()).isEqualTo(Audience.user("early-bird"));
        assertThat(List.of(critical1, critical2)).as("critical passes quiet hours").extracting(EventLogEntry::audience)
                .containsExactly(Audience.user("night-owl"), Audience.user("early-bird"));
        assertThat(notify.eventLog().readAfter(0, "night-owl", Set.of(), 10).entries())
                .as("a client connecting now replays only the critical one").extracting(e -> e.notification().id()).containsExactly(later);
        assertThat(notify.inbox().stats("night-owl").total()).as("the inbox keeps both at once").isEqualTo(2);
        DeliveryRecord pending = record(held, HeldLiveEvents.NAME, "night-owl");
        assertThat(pending.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(pending.nextAttemptAt()).contains(Instant.parse("2030-01-16T06:00:00Z"));
        assertThat(pending.lastError()).hasValueSatisfying(e -> assertThat(e).contains("quiet hours until 2030-01-16T06:00:00Z"));

        clock.set(Instant.parse("2030-01-16T05:59:59Z"));
        assertThat(live.entries.poll(200, TimeUnit.MILLISECONDS)).as("nothing a second before the end").isNull();
        clock.set(Instant.parse("2030-01-16T06:00:00Z"));
        EventLogEntry released = live.next();

        assertThat(released.notification().id()).isEqualTo(held);
        assertThat(released.audience()).isEqualTo(Audience.user("night-owl"));
        assertThat(released.sequence()).as("after what the user's streams saw meanwhile").isGreaterThan(critical2.sequence());
        assertThat(notify.eventLog().readAfter(critical1.sequence(), "night-owl", Set.of(), 10).entries())
                .as("a client resuming with its cursor gets it once").extracting(e -> e.notification().id()).containsExactly(held);
        assertThat(await(held, HeldLiveEvents.NAME, "night-owl", DeliveryStatus.SENT).status()).isEqualTo(DeliveryStatus.SENT);
        assertThat(notify.channelNames()).as("the engine's own channel is no publish target").doesNotContain(HeldLiveEvents.NAME);
    }

    @Test
    void osAndPluginDeliveriesAreHeldWithTheReasonAndSentWhenTheyEnd() throws Exception {
        start(Instant.parse("2030-01-15T22:30:00Z"));

        String id = notify.notify(to("night-owl").channels(List.of("system", "slack")).build());

        for (String channel : List.of("system", "slack")) {
            DeliveryRecord d = record(id, channel, "night-owl");
            assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(d.nextAttemptAt()).contains(Instant.parse("2030-01-16T06:00:00Z"));
            assertThat(d.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("held by preference: quiet hours until"));
        }
        clock.set(Instant.parse("2030-01-16T06:00:00Z"));
        assertThat(await(id, "system", "night-owl", DeliveryStatus.SENT).status()).isEqualTo(DeliveryStatus.SENT);
        assertThat(await(id, "slack", "night-owl", DeliveryStatus.SENT).status()).isEqualTo(DeliveryStatus.SENT);
        assertThat(system.deliveries).singleElement().satisfies(d -> assertThat(d.notification().id()).isEqualTo(id));
    }

    @Test
    void theyEndAtTheLocalEndTimeOnTheNightTheClocksGoForward() throws Exception {
        // Berlin moves from UTC+1 to UTC+2 at 02:00 on 31 March 2030: 07:00 local that morning is 05:00 UTC
        start(Instant.parse("2030-03-30T22:30:00Z"));

        String id = notify.notify(to("night-owl").build());
        DeliveryRecord system = record(id, "system", "night-owl");
        assertThat(system.nextAttemptAt()).contains(Instant.parse("2030-03-31T05:00:00Z"));
        assertThat(record(id, HeldLiveEvents.NAME, "night-owl").nextAttemptAt()).contains(Instant.parse("2030-03-31T05:00:00Z"));

        clock.set(Instant.parse("2030-03-31T05:00:00Z"));
        assertThat(live.next().notification().id()).isEqualTo(id);
        assertThat(await(id, "system", "night-owl", DeliveryStatus.SENT).status()).isEqualTo(DeliveryStatus.SENT);
    }

    @Test
    void theyEndAtTheLocalEndTimeOnTheNightTheClocksGoBack() {
        // Berlin moves from UTC+2 to UTC+1 at 03:00 on 27 October 2030: 07:00 local that morning is 06:00 UTC
        Preferences.QuietHours q = NIGHTS.quietHours().orElseThrow();

        assertThat(q.endAfter(Instant.parse("2030-10-26T21:30:00Z"))).contains(Instant.parse("2030-10-27T06:00:00Z"));
        assertThat(q.endAfter(Instant.parse("2030-10-27T01:30:00Z"))).as("02:30 local, the second time").contains(Instant.parse("2030-10-27T06:00:00Z"));
        assertThat(q.endAfter(Instant.parse("2030-10-27T06:00:00Z"))).as("over at 07:00 local").isEmpty();
        assertThat(q.endAfter(Instant.parse("2030-10-26T19:59:59Z"))).as("21:59:59 local, not begun").isEmpty();
    }

    @Test
    void aNotificationScheduledIntoTheQuietHoursWaitsForTheirEnd() throws Exception {
        // published at 12:00 Berlin, due at 23:00 Berlin: held until 07:00
        start(Instant.parse("2030-01-15T11:00:00Z"));

        String id = notify.notify(to("night-owl").scheduledAt(Instant.parse("2030-01-15T22:00:00Z")).build());

        assertThat(record(id, "system", "night-owl").nextAttemptAt()).contains(Instant.parse("2030-01-16T06:00:00Z"));
        assertThat(record(id, HeldLiveEvents.NAME, "night-owl").nextAttemptAt()).contains(Instant.parse("2030-01-16T06:00:00Z"));
    }

    @Test
    void aCancelledNotificationIsNotReleased() throws Exception {
        start(Instant.parse("2030-01-15T22:30:00Z"));
        String id = notify.notify(to("night-owl").build());

        notify.cancel(id);
        assertThat(record(id, HeldLiveEvents.NAME, "night-owl").status()).isEqualTo(DeliveryStatus.CANCELLED);
        clock.set(Instant.parse("2030-01-16T06:00:00Z"));

        assertThat(live.entries.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(notify.eventLog().readAfter(0, "night-owl", Set.of(), 10).entries()).isEmpty();
    }

    @Test
    void aPublishCannotNameTheEnginesOwnChannel() {
        start(Instant.parse("2030-01-15T12:00:00Z"));

        assertThatThrownBy(() -> notify.notify(to("night-owl").channels(List.of(HeldLiveEvents.NAME)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a channel name");
    }
}
