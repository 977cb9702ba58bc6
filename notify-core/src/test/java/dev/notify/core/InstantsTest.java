package dev.notify.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class InstantsTest {

    @Property
    void nanosBetweenAgreesWithDurationWithinSeventyYears(@ForAll @LongRange(min = -1_000_000_000L, max = 1_000_000_000L) long fromSecond,
                                                          @ForAll @LongRange(min = 0, max = 999_999_999) int fromNano,
                                                          @ForAll @LongRange(min = -1_000_000_000L, max = 1_000_000_000L) long toSecond,
                                                          @ForAll @LongRange(min = 0, max = 999_999_999) int toNano) {
        Instant from = Instant.ofEpochSecond(fromSecond, fromNano);
        Instant to = Instant.ofEpochSecond(toSecond, toNano);
        assertThat(Instants.nanosBetween(from, to)).isEqualTo(Duration.between(from, to).toNanos());
    }

    @Test
    void instantsFurtherApartThanSeventyYearsAreFarAndLeaveRoomForArithmetic() {
        assertThat(Instants.nanosBetween(Instant.EPOCH, Instant.MAX)).isEqualTo(Instants.FAR);
        assertThat(Instants.nanosBetween(Instant.MAX, Instant.MIN)).isEqualTo(-Instants.FAR);
        assertThat(Instants.nanosBetween(Instant.MIN, Instant.MAX) + Long.MAX_VALUE / 2).isPositive();
    }

    @Test
    void aDurationLongerThanSeventyYearsIsFar() {
        assertThat(Instants.nanos(Duration.ofMillis(1500))).isEqualTo(1_500_000_000L);
        assertThat(Instants.nanos(Duration.ofDays(365L * 1000))).isEqualTo(Instants.FAR);
    }
}
