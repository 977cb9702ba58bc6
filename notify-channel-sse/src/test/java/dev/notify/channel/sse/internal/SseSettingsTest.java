package dev.notify.channel.sse.internal;

import dev.notify.api.spi.Config;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseSettingsTest {

    @Test
    void hasTheDocumentedDefaults() {
        SseSettings s = SseSettings.defaults();
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.retry()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.maxBufferedEvents()).isEqualTo(1024);
        assertThat(s.maxBufferedBytes()).isEqualTo(1024 * 1024);
        assertThat(s.recentLimit()).isEqualTo(10);
    }

    @Test
    void readsKebabCaseKeys() {
        SseSettings s = SseSettings.from(Config.of(Map.of("heartbeat-interval", "250ms", "max-buffered-events", "8",
                "max-buffered-bytes", "4096", "retry", "1s", "recent-limit", "0")));
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.maxBufferedEvents()).isEqualTo(8);
        assertThat(s.maxBufferedBytes()).isEqualTo(4096);
        assertThat(s.retry()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.recentLimit()).isZero();
    }

    @Test
    void refusesValuesThatMakeNoSense() {
        assertThatThrownBy(() -> SseSettings.from(Config.of(Map.of("heartbeat-interval", "0s"))))
                .hasMessageContaining("channels.sse.heartbeat-interval");
        assertThatThrownBy(() -> SseSettings.from(Config.of(Map.of("max-buffered-events", "0"))))
                .hasMessageContaining("max-buffered-events");
        assertThatThrownBy(() -> SseSettings.from(Config.of(Map.of("max-buffered-events", "lots"))))
                .hasMessageContaining("max-buffered-events");
    }
}
