package dev.notify.web;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advanceMillis(long ms) {
        nanos.addAndGet(ms * 1_000_000L);
    }

    @Test
    void allowsTheBurstThenRefusesUntilTheBucketRefillsAtItsRate() {
        RateLimiter l = RateLimiter.perSecond("publish", 10, 3, nanos::get);

        assertThat(l.take("k", 1).remaining()).isEqualTo(2);
        assertThat(l.take("k", 1).allowed()).isTrue();
        assertThat(l.take("k", 1).allowed()).isTrue();
        RateLimiter.Decision refused = l.take("k", 1);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(100_000_000L);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        advanceMillis(100);
        assertThat(l.take("k", 1).allowed()).isTrue();
    }

    @Test
    void keepsOneBucketPerKey() {
        RateLimiter l = RateLimiter.perSecond("inbox", 1, 1, nanos::get);

        assertThat(l.take("alice", 1).allowed()).isTrue();
        assertThat(l.take("alice", 1).allowed()).isFalse();
        assertThat(l.take("bob", 1).allowed()).isTrue();
    }

    @Test
    void aCostAboveTheBurstPassesOnAFullBucketAndLeavesItInDebt() {
        RateLimiter l = RateLimiter.perSecond("publish", 10, 5, nanos::get);

        RateLimiter.Decision big = l.take("k", 8);

        assertThat(big.allowed()).isTrue();
        assertThat(big.remaining()).isEqualTo(-3);
        assertThat(l.take("k", 1).allowed()).isFalse();
        advanceMillis(400);
        assertThat(l.take("k", 1).allowed()).isTrue();
    }

    @Test
    void writesTheIetfHeaderValues() {
        RateLimiter l = RateLimiter.perSecond("publish", 100, 500, nanos::get);
        RateLimiter.Decision d = l.take("k", 50);

        assertThat(l.policyHeader()).isEqualTo("\"publish\";q=500;w=5");
        assertThat(l.header(d)).isEqualTo("\"publish\";r=450;t=1");
    }

    @Test
    void smallBucketsShareTheirHeaderValuesInsteadOfWritingThemAnewForEveryResponse() {
        RateLimiter l = RateLimiter.perSecond("stream-connect", 1, 10, nanos::get);
        String first = l.header(l.take("a", 1));
        String second = l.header(l.take("b", 1));

        assertThat(first).isEqualTo("\"stream-connect\";r=9;t=1").isSameAs(second);
        assertThat(l.policyHeader()).isSameAs(l.policyHeader());
        assertThat(l.header(l.take("c", 10))).isEqualTo("\"stream-connect\";r=0;t=10");
    }

    @Test
    void theStreamConnectDefaultOfABurstOfOneHundredSharesItsHeaderValuesToo() {
        // the default stream-connect limit: every fresh stream of a user answers r=99, which 10,000 streams kept 10,000 copies of
        RateLimiter l = RateLimiter.perSecond("stream-connect", 20, 100, nanos::get);

        assertThat(l.header(l.take("a", 1))).isEqualTo("\"stream-connect\";r=99;t=1").isSameAs(l.header(l.take("b", 1)));
    }

    @Test
    void valuesPastTheCachedRangeAreStillWrittenCorrectly() {
        RateLimiter l = RateLimiter.perSecond("publish", 1, 5_000, nanos::get);

        assertThat(l.header(l.take("k", 1))).isEqualTo("\"publish\";r=4999;t=1");
        assertThat(l.header(new RateLimiter.Decision(true, 3, 40, 0))).isEqualTo("\"publish\";r=3;t=40");
        assertThat(l.header(new RateLimiter.Decision(false, -7, 3, 10))).isEqualTo("\"publish\";r=0;t=3");
    }

    @Test
    void aRateOfZeroIsOffAndAllowsEverything() {
        RateLimiter l = RateLimiter.parse("inbox", "--rate-limit-inbox", "off");

        assertThat(l.enabled()).isFalse();
        for (int i = 0; i < 1000; i++) {
            assertThat(l.take("k", 100).allowed()).isTrue();
        }
        assertThat(l.keys()).isZero();
    }

    @Test
    void parsesRateAndBurstAndNamesTheSettingInErrors() {
        RateLimiter l = RateLimiter.parse("x", "--x", "2.5:7");
        assertThat(l.perSecond()).isEqualTo(2.5);
        assertThat(l.burst()).isEqualTo(7);
        assertThat(RateLimiter.parse("x", "--x", "100").burst()).isEqualTo(200);
        assertThatThrownBy(() -> RateLimiter.parse("x", "--x", "fast")).hasMessageContaining("--x 'fast'");
        assertThatThrownBy(() -> RateLimiter.parse("x", "--x", "5:0")).hasMessageContaining("burst");
    }

    @Test
    void forgetsKeysWhoseBucketsRefilledOncePastTheSweepThreshold() {
        RateLimiter l = RateLimiter.perSecond("stream", 1000, 1, nanos::get);
        for (int i = 0; i < RateLimiter.SWEEP_ABOVE; i++) {
            l.take("user-" + i, 1);
        }
        advanceMillis(10);

        l.take("newcomer", 1);

        assertThat(l.keys()).isEqualTo(1);
    }
}
