package dev.notify.bench.soak;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SoakSettingsTest {

    @Test
    void defaultsAreTheFullSoakOfTheIssue() {
        SoakSettings s = SoakSettings.parse();

        assertThat(s.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.sse()).isEqualTo(10_000);
        assertThat(s.ws()).isEqualTo(1_000);
        assertThat(s.rate()).isEqualTo(1_000);
        assertThat(s.webhooks()).isEqualTo(20);
        assertThat(s.hanging()).isEqualTo(5);
        assertThat(s.failing()).isEqualTo(2);
        assertThat(s.healthy()).isEqualTo(13);
        assertThat(s.sampleEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.lateAfter()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void durationsReadMillisecondsSecondsMinutesHoursOrPlainSeconds() {
        assertThat(SoakSettings.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(SoakSettings.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SoakSettings.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(SoakSettings.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(SoakSettings.duration("45")).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void anUnknownOptionOrNoHealthyEndpointIsRefused() {
        assertThatThrownBy(() -> SoakSettings.parse("--minutes", "10")).hasMessageContaining("unknown option or missing value: --minutes");
        assertThatThrownBy(() -> SoakSettings.parse("--duration")).hasMessageContaining("missing value");
        assertThatThrownBy(() -> SoakSettings.parse("--webhooks", "7")).hasMessageContaining("leaves no healthy endpoint");
    }

    @Test
    void aPasswordInTheDatabaseUrlIsNotPrinted() {
        SoakSettings s = SoakSettings.parse("--db-url", "jdbc:postgresql://db/notify?user=soak&password=s3cret&ssl=true");

        assertThat(s.describe()).contains("password=***&ssl=true").doesNotContain("s3cret");
    }
}
