package dev.notify.channel.ws.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.testkit.SimpleJsonCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WsFramesTest {

    private final SimpleJsonCodec json = new SimpleJsonCodec();
    private final WsFrames frames = new WsFrames(json);

    @Test
    void anEventIsTheEnvelopeOfDesignMd() {
        Notification n = Notification.builder().id("n1").topic("task:abc123").event("task.progress").recipient("u1")
                .data(Map.of("percent", 50, "message", "Processing...")).createdAt(Instant.parse("2024-01-15T10:30:00Z")).build();
        Map<String, Object> m = json.parseObject(frames.event(new EventLogEntry(1042, Audience.topic("task:abc123"), n)));
        assertThat(m).containsEntry("type", "task.progress").containsEntry("task_id", "abc123").containsEntry("topic", "task:abc123")
                .containsEntry("notification_id", "n1").containsEntry("timestamp", "2024-01-15T10:30:00Z")
                .containsEntry("priority", "normal").containsEntry("notification_type", "info")
                .doesNotContainKeys("title", "body");
        assertThat(((Number) m.get("id")).longValue()).isEqualTo(1042);
        assertThat(m.get("data")).isEqualTo(Map.of("percent", new java.math.BigDecimal(50), "message", "Processing..."));
    }

    @Test
    void controlFramesCarryTypeTimestampDataAndTheRefWhenGiven() {
        Instant at = Instant.parse("2024-01-15T10:30:00Z");
        assertThat(json.parseObject(frames.stats(new InboxStats(3, 2, 1), at))).containsEntry("type", "stats")
                .containsEntry("timestamp", "2024-01-15T10:30:00Z").doesNotContainKeys("id", "ref")
                .containsEntry("data", Map.of("total", new java.math.BigDecimal(3), "unread", new java.math.BigDecimal(2),
                        "read", new java.math.BigDecimal(1)));
        assertThat(json.parseObject(frames.error("no", "ack", "r1", at))).containsEntry("ref", "r1")
                .containsEntry("data", Map.of("reason", "no", "frame", "ack"));
    }
}
