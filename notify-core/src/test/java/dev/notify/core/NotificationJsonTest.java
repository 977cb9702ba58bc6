package dev.notify.core;

import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotificationJsonTest {

    private final JsonbCodec codec = new JsonbCodec();
    private final NotificationJson json = new NotificationJson(codec);

    @Test
    void aNotificationCarriedToAnotherNodeReadsBackWithEveryFieldAndTheSameDataText() {
        Notification n = Notification.builder().type(NotificationType.WARNING).event("task.progress").topic("task:abc")
                .priority(Priority.HIGH).recipients(List.of("u1", "u 2")).title("Half; way").body("50% \"done\"")
                .data(Map.of("percent", 50, "nested", Map.of("ok", true, "list", List.of("a", "b"))))
                .template("progress").channels(List.of("sse", "ws")).scheduledAt(Instant.parse("2030-01-01T00:00:00.123456789Z"))
                .expiresAt(Instant.parse("2030-01-02T00:00:00Z")).idempotencyKey("k-1").collapseKey("task:abc:progress")
                .metadata("trace", "t-1").broadcast(true).transactional(true).createdAt(Instant.parse("2029-12-31T23:59:59.5Z")).build();

        Notification back = json.read(json.write(n));

        assertThat(back).usingRecursiveComparison().ignoringFields("data").isEqualTo(n);
        assertThat(codec.toJson(back.data())).isEqualTo(codec.toJson(n.data()));
    }

    @Test
    void aNotificationWithOnlyTheDefaultsReadsBackEqual() {
        Notification n = Notification.builder().recipient("u1").build();

        assertThat(json.read(json.write(n))).isEqualTo(n);
    }

    @Test
    void textThatIsNotOneIsRefused() {
        assertThatThrownBy(() -> json.read("{\"title\":\"no id\"}")).isInstanceOf(RuntimeException.class);
    }
}
