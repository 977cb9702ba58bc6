package dev.notify.channel.poll.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PollAnswerTest {

    private final Notification progress = Notification.builder().recipient("u1").topic("task:abc123").event("task.progress")
            .priority(Priority.HIGH).title("Import").data(Map.of("percent", 50)).createdAt(Instant.parse("2024-01-15T10:30:00Z")).build();

    @Test
    void eachEventCarriesItsSequenceAsIdAndItsEventName() {
        Map<String, Object> e = PollAnswer.event(new EventLogEntry(1042, Audience.user("u1"), progress));
        assertThat(e).containsEntry("id", 1042L).containsEntry("event", "task.progress")
                .containsEntry("notification_id", progress.id()).containsEntry("task_id", "abc123")
                .containsEntry("topic", "task:abc123").containsEntry("priority", "high").containsEntry("type", "info")
                .containsEntry("title", "Import").containsEntry("data", Map.of("percent", 50))
                .containsEntry("timestamp", "2024-01-15T10:30:00Z").containsEntry("createdAt", "2024-01-15T10:30:00Z");
    }

    @Test
    void lastSeqIsTheLastEntryReadAndANotificationSeenTwiceIsAnsweredOnce() {
        EventLogSlice slice = new EventLogSlice(List.of(new EventLogEntry(5, Audience.user("u1"), progress),
                new EventLogEntry(6, Audience.topic("task:abc123"), progress)), 9, false);
        Map<String, Object> answer = PollAnswer.of(slice, 4);
        assertThat((List<?>) answer.get("events")).hasSize(1);
        assertThat(answer).containsEntry("last_seq", 6L).doesNotContainKey("pruned");
    }

    @Test
    void anEmptyAnswerKeepsTheCursorWhereItWas() {
        Map<String, Object> answer = PollAnswer.of(new EventLogSlice(List.of(), 77, false), 12);
        assertThat((List<?>) answer.get("events")).isEmpty();
        assertThat(answer).containsEntry("last_seq", 12L);
    }

    @Test
    void aPrunedLogIsReportedAndAnEmptyPrunedAnswerJumpsToTheHead() {
        Map<String, Object> answer = PollAnswer.of(new EventLogSlice(List.of(), 77, true), 12);
        assertThat(answer).containsEntry("pruned", true).containsEntry("last_seq", 77L);
    }
}
