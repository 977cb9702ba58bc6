package dev.notify.core;

import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.spi.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Collapse keys through the Java API: the inbox keeps the newest per key, a reader that is behind gets the newest event. */
class CollapseKeysTest {

    private final List<NotificationService> services = new ArrayList<>();

    private NotificationService start(Map<String, String> config) {
        NotificationService s = NotificationService.builder()
                .config(ServiceConfig.builder().config(Config.of(config)).build()).build();
        services.add(s);
        return s;
    }

    @AfterEach
    void close() {
        services.forEach(s -> s.close(Duration.ofSeconds(5)));
    }

    private static Notification progress(int percent) {
        return Notification.builder().recipient("u1").event("task.progress").topic("task:abc123").collapseKey("task:abc123")
                .title("Import " + percent + "%").data(Map.of("percent", percent)).build();
    }

    @Test
    void aHundredProgressUpdatesLeaveOneUnreadInboxItemWithTheLatestPercent() {
        NotificationService notify = start(Map.of());
        notify.notify(Notification.builder().recipient("u1").title("unrelated").build());
        String first = notify.notify(progress(1));
        notify.inbox().mark("u1", List.of(first), true);
        for (int p = 2; p <= 100; p++) {
            notify.notify(progress(p));
        }

        List<InboxItem> items = notify.inbox().list(InboxQuery.firstPage("u1")).items();

        assertThat(items).hasSize(2);
        assertThat(items.get(0).notification().title()).isEqualTo("Import 100%");
        assertThat(items.get(0).read()).isFalse();
        assertThat(notify.inbox().stats("u1")).isEqualTo(new InboxStats(2, 2, 0));
    }

    @Test
    void aReplacedItemKeepsItsReadStateWhenConfiguredSo() {
        NotificationService notify = start(Map.of("inbox.collapse-marks-unread", "false"));
        String first = notify.notify(progress(10));
        notify.inbox().mark("u1", List.of(first), true);

        notify.notify(progress(20));

        List<InboxItem> items = notify.inbox().list(InboxQuery.firstPage("u1")).items();
        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.notification().title()).isEqualTo("Import 20%");
            assertThat(i.read()).isTrue();
        });
    }

    @Test
    void aReaderThatIsBehindGetsTheNewestEventPerKeyWhileTheLogKeepsEverySequence() {
        NotificationService notify = start(Map.of());
        for (int p = 10; p <= 50; p += 10) {
            notify.notify(progress(p));
        }
        String done = notify.notify(Notification.builder().recipient("u1").event("task.completed").title("done").build());

        List<EventLogEntry> replay = notify.eventLog().readAfter(0, "u1", Set.of(), 100).entries();
        List<EventLogEntry> stored = notify.store().readAfter(0, "u1", Set.of(), 100).entries();

        assertThat(replay).extracting(e -> e.notification().title()).containsExactly("Import 50%", "done");
        assertThat(replay.get(1).notification().id()).isEqualTo(done);
        assertThat(stored).hasSize(6);
        assertThat(replay.get(1).sequence()).isEqualTo(stored.get(5).sequence());
    }
}
