package dev.notify.channel.webhook.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointSlotsTest {

    private static final Duration MIN = Duration.ofSeconds(1);
    private static final Duration HORIZON = Duration.ofSeconds(60);

    @Test
    @DisplayName("waiting deliveries come back on the endpoint's pace, its attempt duration over its limit, from busy-retry-after on and without a cap")
    void deferralsFollowTheEndpointsPace() {
        EndpointSlots slots = new EndpointSlots(2);
        assertThat(slots.tryAcquire()).isTrue();
        assertThat(slots.tryAcquire()).isTrue();
        assertThat(slots.tryAcquire()).as("saturated").isFalse();
        assertThat(slots.deferral(0, MIN)).as("no attempt has ended yet: busy-retry-after").isEqualTo(MIN);
        assertThat(slots.deferral(0, MIN)).isEqualTo(MIN);

        slots.release(Duration.ofMillis(800).toNanos()); // an attempt took 800 ms: with 2 places, one frees every 400 ms
        assertThat(slots.tryAcquire()).isTrue();
        long now = Duration.ofSeconds(10).toNanos();
        assertThat(slots.deferral(now, MIN)).isEqualTo(Duration.ofSeconds(1));
        assertThat(slots.deferral(now, MIN)).isEqualTo(Duration.ofMillis(1400));
        assertThat(slots.deferral(now, MIN)).isEqualTo(Duration.ofMillis(1800));
        for (int i = 0; i < 1000; i++) {
            slots.deferral(now, MIN);
        }
        // a backlog of a thousand waits in line, each deferred once, rather than all coming back at a cap and going again
        assertThat(slots.deferral(now, MIN)).isEqualTo(Duration.ofMillis(1000 + 1003 * 400));
        assertThat(slots.inFlight()).isEqualTo(2);
    }

    @Test
    @DisplayName("an endpoint that answers quickly again after hanging is said to have recovered once, and its places start from now")
    void aHungEndpointThatAnswersAgainRecoversOnce() {
        EndpointSlots slots = new EndpointSlots(4);
        for (int i = 0; i < 4; i++) {
            assertThat(slots.tryAcquire()).isTrue();
            slots.release(Duration.ofSeconds(10).toNanos()); // four attempts timed out at 10 s
        }
        long now = Duration.ofMinutes(5).toNanos();
        for (int i = 0; i < 100; i++) {
            slots.deferral(now, MIN); // a backlog of 100 over 100 x 2.5 s: far beyond the horizon
        }
        long quick = Duration.ofMillis(5).toNanos();
        assertThat(slots.recovered(now, Duration.ofSeconds(9).toNanos(), HORIZON)).as("as slow as before").isFalse();
        assertThat(slots.recovered(now, quick, HORIZON)).isTrue();
        assertThat(slots.recovered(now + 1, quick, HORIZON)).as("once per horizon").isFalse();
        assertThat(slots.deferral(now, MIN)).as("places from now, on the new pace").isEqualTo(MIN);
        assertThat(slots.deferral(now, MIN)).isEqualTo(MIN.plusNanos(quick / 4));
    }

    @Test
    @DisplayName("a saturated endpoint that answers at a quick pace lines deliveries up for busy-wait, a place given back goes to the first in line, and one whose latest attempt got no answer lines nobody up")
    void aQuickEndpointLinesDeliveriesUp() {
        EndpointSlots slots = new EndpointSlots(2);
        long wait = Duration.ofMillis(500).toNanos();
        List<String> granted = new ArrayList<>();
        assertThat(slots.acquireOrWait(() -> granted.add("x"), wait, () -> true)).isEqualTo(EndpointSlots.Admission.TAKEN);
        assertThat(slots.acquireOrWait(() -> granted.add("x"), wait, () -> true)).isEqualTo(EndpointSlots.Admission.TAKEN);
        assertThat(slots.acquireOrWait(() -> granted.add("a"), wait, () -> true)).as("no pace yet: it may be hanging")
                .isEqualTo(EndpointSlots.Admission.BUSY);

        slots.answered(true);
        slots.release(Duration.ofMillis(200).toNanos()); // with 2 places, one frees every 100 ms
        assertThat(slots.tryAcquire()).isTrue();
        for (String name : List.of("a", "b", "c", "d", "e")) {
            assertThat(slots.acquireOrWait(() -> granted.add(name), wait, () -> true)).as(name).isEqualTo(EndpointSlots.Admission.WAITING);
        }
        assertThat(slots.acquireOrWait(() -> granted.add("f"), wait, () -> true)).as("its place would come after 600 ms")
                .isEqualTo(EndpointSlots.Admission.BUSY);
        assertThat(slots.waiting()).isEqualTo(5);

        slots.release(Duration.ofMillis(200).toNanos());
        assertThat(granted).containsExactly("a");
        assertThat(slots.inFlight()).as("the place went to a, not back to the endpoint").isEqualTo(2);
        slots.unused();
        assertThat(granted).containsExactly("a", "b");
        assertThat(slots.waiting()).isEqualTo(3);

        slots.answered(false); // its latest attempt timed out: hanging, whatever its pace says
        assertThat(slots.acquireOrWait(() -> granted.add("g"), wait, () -> true)).isEqualTo(EndpointSlots.Admission.BUSY);
        slots.answered(true);
        assertThat(slots.acquireOrWait(() -> granted.add("g"), wait, () -> true)).isEqualTo(EndpointSlots.Admission.WAITING);
    }

    @Test
    @DisplayName("a delivery that leaves the line before a place came is not handed one, and the node's bound is asked only for one that would wait")
    void leavingTheLineAndTheNodesBound() {
        EndpointSlots slots = new EndpointSlots(1);
        long wait = Duration.ofSeconds(1).toNanos();
        assertThat(slots.tryAcquire()).isTrue();
        slots.answered(true);
        slots.release(Duration.ofMillis(10).toNanos());
        assertThat(slots.tryAcquire()).isTrue();
        List<String> granted = new ArrayList<>();
        Runnable a = () -> granted.add("a");
        Runnable b = () -> granted.add("b");
        assertThat(slots.acquireOrWait(a, wait, () -> true)).isEqualTo(EndpointSlots.Admission.WAITING);
        assertThat(slots.acquireOrWait(b, wait, () -> false)).as("the node has enough waiting").isEqualTo(EndpointSlots.Admission.BUSY);
        assertThat(slots.acquireOrWait(b, wait, () -> true)).isEqualTo(EndpointSlots.Admission.WAITING);
        assertThat(slots.leave(a)).isTrue();
        assertThat(slots.leave(a)).as("once").isFalse();
        slots.release(Duration.ofMillis(10).toNanos());
        assertThat(granted).containsExactly("b");
        assertThat(slots.leave(b)).as("b was handed a place already").isFalse();
        slots.release(Duration.ofMillis(10).toNanos());
        assertThat(slots.inFlight()).isZero();

        for (int i = 0; i < 17; i++) {
            assertThat(slots.tryAcquire() || slots.acquireOrWait(() -> { }, Long.MAX_VALUE, () -> true) == EndpointSlots.Admission.WAITING)
                    .isTrue();
        }
        assertThat(slots.acquireOrWait(() -> { }, Long.MAX_VALUE, () -> true)).as("16 per place at most").isEqualTo(EndpointSlots.Admission.BUSY);
        assertThat(slots.drain()).hasSize(16);
        assertThat(slots.waiting()).isZero();
    }

    @Test
    @DisplayName("a busy endpoint keeping its pace is not said to have recovered")
    void aBusyEndpointAtItsPaceHasNotRecovered() {
        EndpointSlots slots = new EndpointSlots(4);
        assertThat(slots.tryAcquire()).isTrue();
        slots.release(Duration.ofMillis(100).toNanos());
        for (int i = 0; i < 10_000; i++) {
            slots.deferral(0, MIN); // reservations reach 250 s ahead
        }
        assertThat(slots.recovered(0, Duration.ofMillis(90).toNanos(), HORIZON)).isFalse();
        assertThat(slots.recovered(0, Duration.ofMillis(20).toNanos(), HORIZON)).as("four times quicker: recovered").isTrue();
    }

    @Test
    @DisplayName("an answering endpoint with a free place, nobody in line and deliveries deferred to later times pulls what fits its line at its pace, then waits")
    void anIdleEndpointPullsItsDeferredBacklogInLineSizedBites() {
        long ms = Duration.ofMillis(1).toNanos();
        long wait = Duration.ofMillis(500).toNanos();
        long interval = Duration.ofMillis(50).toNanos();
        EndpointSlots slots = new EndpointSlots(4, 64);
        assertThat(slots.toPull(0, wait, interval)).as("no pace yet").isZero();
        assertThat(slots.tryAcquire()).isTrue();
        slots.answered(true);
        slots.release(140 * ms); // learnt under load: 35 ms a place
        assertThat(slots.toPull(0, wait, interval)).as("nothing deferred").isZero();
        for (int i = 0; i < 1_000; i++) {
            slots.deferral(0, MIN); // reservations reach 36 s ahead
        }
        for (int i = 0; i < 30; i++) { // quick again: the pace falls to about 2 ms a place
            assertThat(slots.tryAcquire()).isTrue();
            slots.release(8 * ms);
        }

        int first = slots.toPull(100 * ms, wait, interval);
        assertThat(first).as("the line's bound plus the free places").isEqualTo(64 + 4);
        assertThat(slots.toPull(110 * ms, wait, interval)).as("not twice within the interval").isZero();
        assertThat(slots.toPull(100 * ms + interval + 100 * ms, wait, interval)).as("later, again").isEqualTo(68);

        for (int i = 0; i < 4; i++) {
            assertThat(slots.tryAcquire()).isTrue();
        }
        assertThat(slots.toPull(Duration.ofSeconds(2).toNanos(), wait, interval)).as("no free place").isZero();
        assertThat(slots.acquireOrWait(() -> { }, wait, () -> true)).isEqualTo(EndpointSlots.Admission.WAITING);
        slots.release(8 * ms); // handed to the one in line
        assertThat(slots.toPull(Duration.ofSeconds(3).toNanos(), wait, interval)).as("somebody was in line when the place freed").isZero();
        slots.release(8 * ms);
        assertThat(slots.toPull(Duration.ofSeconds(4).toNanos(), wait, interval)).as("a place free, the line empty").isPositive();

        slots.answered(false);
        assertThat(slots.toPull(Duration.ofSeconds(5).toNanos(), wait, interval)).as("not answering: no pull").isZero();
        slots.answered(true);
        assertThat(slots.toPull(Duration.ofSeconds(60).toNanos(), wait, interval)).as("every reservation passed: nothing waits for later").isZero();
    }

    @Test
    @DisplayName("the deliveries pulled forward give their reserved places back, so a later deferral is reserved near, not behind a backlog long since pulled")
    void pulledDeliveriesGiveTheirReservedPlacesBack() {
        long ms = Duration.ofMillis(1).toNanos();
        long wait = Duration.ofMillis(500).toNanos();
        EndpointSlots slots = new EndpointSlots(4, 64);
        assertThat(slots.tryAcquire()).isTrue();
        slots.answered(true);
        slots.release(40 * ms); // 10 ms a place
        for (int i = 0; i < 1_000; i++) {
            slots.deferral(0, MIN); // reservations reach 11 s ahead
        }
        long now = 0;
        int pulled = 0;
        while (pulled < 1_000) {
            now += 300 * ms; // each bite (54 at 10 ms a place over 4 places: 135 ms) served in between
            int n = slots.toPull(now, wait, 0);
            assertThat(n).as("a bite at " + now / ms + " ms").isPositive();
            pulled += n;
        }
        assertThat(now).as("the backlog pulled forward well before its reservations ended").isLessThan(11_000 * ms);

        for (int i = 0; i < 4; i++) {
            assertThat(slots.tryAcquire()).isTrue();
        }
        assertThat(slots.deferral(now, MIN)).as("the next deferral: the shortest, not behind the pulled backlog's places")
                .isEqualTo(MIN);
    }

    @Test
    @DisplayName("an endpoint found with nothing in flight and nobody in line reserves from now, not behind reservations made before")
    void anIdleEndpointReservesFromNow() {
        long ms = Duration.ofMillis(1).toNanos();
        EndpointSlots slots = new EndpointSlots(4, 64);
        assertThat(slots.tryAcquire()).isTrue();
        slots.answered(true);
        slots.release(40 * ms);
        for (int i = 0; i < 1_000; i++) {
            slots.deferral(0, MIN); // reservations reach 11 s ahead (their deliveries since delivered some other way)
        }
        for (int i = 0; i < 4; i++) {
            assertThat(slots.tryAcquire()).isTrue();
        }
        assertThat(slots.deferral(100 * ms, MIN)).as("busy: behind the reservations").isGreaterThan(Duration.ofSeconds(10));
        for (int i = 0; i < 4; i++) {
            slots.release(40 * ms);
        }

        slots.toPull(200 * ms, Duration.ofMillis(500).toNanos(), Duration.ofMillis(50).toNanos());

        for (int i = 0; i < 4; i++) {
            assertThat(slots.tryAcquire()).isTrue();
        }
        assertThat(slots.deferral(300 * ms, MIN)).as("reserved from when it was found idle").isEqualTo(MIN);
    }

    @Test
    @DisplayName("an endpoint whose pace does not fit one delivery in the longest wait pulls nothing")
    void aSlowEndpointPullsNothing() {
        EndpointSlots slots = new EndpointSlots(1, 16);
        assertThat(slots.tryAcquire()).isTrue();
        slots.answered(true);
        slots.release(Duration.ofSeconds(2).toNanos());
        slots.deferral(0, MIN);
        assertThat(slots.toPull(0, Duration.ofMillis(500).toNanos(), 0)).isZero();
    }
}

