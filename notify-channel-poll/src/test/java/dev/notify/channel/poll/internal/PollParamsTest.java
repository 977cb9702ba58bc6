package dev.notify.channel.poll.internal;

import dev.notify.api.spi.Config;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollParamsTest {

    private final PollSettings settings = PollSettings.defaults();

    @Test
    void defaultsToTheStartOfTheLogNoWaitAndTheDefaultLimit() {
        PollParams p = PollParams.parse(null, null, null, null, settings);
        assertThat(p.after()).isZero();
        assertThat(p.waitMillis()).isZero();
        assertThat(p.limit()).isEqualTo(100);
        assertThat(p.topics()).isEmpty();
    }

    @Test
    void parsesEveryParameter() {
        PollParams p = PollParams.parse("1041", "2.5", "10", "task:abc123,task:x*", settings);
        assertThat(p.after()).isEqualTo(1041);
        assertThat(p.waitMillis()).isEqualTo(2500);
        assertThat(p.limit()).isEqualTo(10);
        assertThat(p.topics()).containsExactly("task:abc123", "task:x*");
    }

    @Test
    void refusesBadAfterValues() {
        assertThatThrownBy(() -> PollParams.parse("-1", null, null, null, settings)).isInstanceOf(PollParams.BadParameter.class)
                .hasMessageContaining("after='-1'");
        assertThatThrownBy(() -> PollParams.parse("abc", null, null, null, settings)).hasMessageContaining("last_seq");
    }

    @Test
    void refusesWaitsThatAreNegativeTooLongOrNotNumbers() {
        assertThatThrownBy(() -> PollParams.parse(null, "-1", null, null, settings)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> PollParams.parse(null, "61", null, null, settings)).hasMessageContaining("longer than the 60 seconds");
        assertThatThrownBy(() -> PollParams.parse(null, "soon", null, null, settings)).hasMessageContaining("not a number of seconds");
        assertThat(PollParams.parse(null, "60", null, null, settings).waitMillis()).isEqualTo(60_000);
    }

    @Test
    void honoursAConfiguredMaximumWait() {
        PollSettings shortWaits = PollSettings.from(Config.of(Map.of("max-wait", "5s")));
        assertThatThrownBy(() -> PollParams.parse(null, "6", null, null, shortWaits)).hasMessageContaining("5 seconds");
    }

    @Test
    void refusesLimitsOutOfRange() {
        assertThatThrownBy(() -> PollParams.parse(null, null, "0", null, settings)).hasMessageContaining("from 1 to 1000");
        assertThatThrownBy(() -> PollParams.parse(null, null, "1001", null, settings)).hasMessageContaining("from 1 to 1000");
        assertThatThrownBy(() -> PollParams.parse(null, null, "x", null, settings)).isInstanceOf(PollParams.BadParameter.class);
    }

    @Test
    void refusesMalformedTopics() {
        assertThatThrownBy(() -> PollParams.parse(null, null, null, "bad topic", settings)).hasMessageContaining("is not a topic");
    }

    @Test
    void settingsRefuseADefaultLimitAboveTheMaximum() {
        assertThatThrownBy(() -> PollSettings.from(Config.of(Map.of("default-limit", "50", "max-limit", "10"))))
                .hasMessageContaining("channels.poll.default-limit");
    }
}
