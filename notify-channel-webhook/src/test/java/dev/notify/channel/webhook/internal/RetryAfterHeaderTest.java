package dev.notify.channel.webhook.internal;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A receiver's {@code Retry-After} is untrusted text: any of it is read within the configured range, or not at all. */
class RetryAfterHeaderTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration MIN = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofHours(1);

    @Property(tries = 2000)
    void anyTextIsReadWithinTheRangeOrNotAtAll(@ForAll @StringLength(max = 64) String value) {
        Optional<Duration> d = RetryAfterHeader.parse(value, NOW, MIN, MAX);
        d.ifPresent(x -> assertThat(x).isBetween(MIN, MAX));
    }

    @Property
    void secondsAreClampedToTheRange(@ForAll @LongRange(min = 0, max = 9_999_999_999L) long seconds) {
        assertThat(RetryAfterHeader.parse(" " + seconds + " ", NOW, MIN, MAX))
                .hasValue(Duration.ofSeconds(Math.max(1, Math.min(3600, seconds))));
    }

    @Example
    void anHttpDateIsAWaitFromNow() {
        assertThat(RetryAfterHeader.parse("Mon, 07 Dec 2026 10:02:00 GMT", NOW, MIN, MAX)).hasValue(Duration.ofMinutes(2));
        assertThat(RetryAfterHeader.parse("Mon, 07 Dec 2026 09:00:00 GMT", NOW, MIN, MAX)).as("in the past").hasValue(MIN);
    }

    @Example
    void signsFractionsAndLongNumbersAreNotSeconds() {
        for (String v : new String[] {"-5", "+5", "1.5", "12345678901", "", "soon"}) {
            assertThat(RetryAfterHeader.parse(v, NOW, MIN, MAX)).as(v).isEmpty();
        }
    }
}
