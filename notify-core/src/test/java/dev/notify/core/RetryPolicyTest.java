package dev.notify.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    @Test
    void defaultsAreFiveAttemptsOneSecondBaseFactorTwoFiveMinuteCap() {
        RetryPolicy p = RetryPolicy.DEFAULT;
        assertThat(p.maxAttempts()).isEqualTo(5);
        assertThat(p.baseDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.factor()).isEqualTo(2.0);
        assertThat(p.maxDelay()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void delaysDoubleWithoutJitterAndStopAtTheCap() {
        RetryPolicy p = RetryPolicy.DEFAULT.withJitter(0).withMaxAttempts(20);
        SplittableRandom r = new SplittableRandom(1);
        assertThat(p.delayAfter(1, r)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delayAfter(2, r)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delayAfter(3, r)).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.delayAfter(4, r)).isEqualTo(Duration.ofSeconds(8));
        assertThat(p.delayAfter(12, r)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void jitterSpreadsDelaysWithinItsBoundsAndNeverPastTheCap() {
        RetryPolicy p = RetryPolicy.DEFAULT;
        SplittableRandom r = new SplittableRandom(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 10_000; i++) {
            long ms = p.delayAfter(3, r).toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).isBetween(3200L, 3400L);
        assertThat(max).isBetween(4600L, 4800L);
        assertThat(p.delayAfter(30, r)).isLessThanOrEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void allowsRetriesUntilTheLastAttempt() {
        assertThat(RetryPolicy.DEFAULT.allowsRetryAfter(4)).isTrue();
        assertThat(RetryPolicy.DEFAULT.allowsRetryAfter(5)).isFalse();
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.withMaxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.withJitter(1.5)).hasMessageContaining("jitter");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(1), 0.5, Duration.ofSeconds(9), 0))
                .hasMessageContaining("factor");
    }
}
