package dev.notify.api;

import dev.notify.api.spi.Config;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

    private final Config config = Config.of(Map.of(
            "channels.sse.heartbeat-interval", "30s",
            "channels.sse.max-connections-per-user", "4",
            "channels.webhook.enabled", "yes",
            "channels.webhook.allow", "10.0.0.0/8, 192.168.0.0/16,",
            "port", "eight"));

    @Test
    void givesEachChannelItsOwnNodeWithRelativeKeys() {
        Config sse = config.node("channels").node("sse");
        assertThat(sse.getDuration("heartbeat-interval", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
        assertThat(sse.getInt("max-connections-per-user", 1)).isEqualTo(4);
        assertThat(sse.getInt("missing", 7)).isEqualTo(7);
        assertThat(config.node("channels").node("webhook").getBoolean("enabled", false)).isTrue();
        assertThat(config.node("channels").node("webhook").getList("allow")).containsExactly("10.0.0.0/8", "192.168.0.0/16");
    }

    @Test
    void parsesTheUsualDurationSpellings() {
        assertThat(Config.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Config.parseDuration("x", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Config.parseDuration("x", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Config.parseDuration("x", "1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Config.parseDuration("x", "45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Config.parseDuration("x", "PT30S")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void namesTheFullKeyAndValueOfAMalformedSetting() {
        assertThatThrownBy(() -> config.getInt("port", 8080)).hasMessage("port = 'eight' is not a whole number");
        Config bad = Config.of(Map.of("channels.sse.heartbeat-interval", "soon"));
        assertThatThrownBy(() -> bad.node("channels").node("sse").getDuration("heartbeat-interval", Duration.ZERO))
                .hasMessageContaining("channels.sse.heartbeat-interval = 'soon' is not a duration");
    }
}
