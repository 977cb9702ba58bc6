package dev.notify.api.spi;

import dev.notify.api.Audience;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterMessageTest {

    private static final Instant AT = Instant.ofEpochMilli(1_733_500_000_123L);

    @Test
    void everyKindOfSignalSurvivesTheWireWithOddCharactersInIds() {
        List<ClusterSignal> signals = List.of(
                new ClusterSignal.LogAppended(1042, List.of(Audience.user("u 1;x"), Audience.topic("task:abc,1"))),
                new ClusterSignal.DeliveryDue(),
                new ClusterSignal.InboxChanged("ü@7"),
                new ClusterSignal.SettingChanged("webhook", "wh:1"));
        ClusterMessage m = new ClusterMessage("node a", AT, signals);

        String wire = m.toWire();

        assertThat(wire).startsWith("1 node+a 1733500000123 L1042@u").matches("\\p{Print}+");
        assertThat(ClusterMessage.parse(wire)).isEqualTo(m);
    }

    @Test
    void aLiveEntrySurvivesTheWireWithItsBodyAndPreviousSequence() {
        ClusterSignal.LiveEntry e = new ClusterSignal.LiveEntry(1042, 1017, Audience.user("u 1;x"),
                "{\"title\":\"a; b, c\",\"data\":{\"n\":1}}");
        ClusterMessage m = new ClusterMessage("n1", AT, List.of(e, new ClusterSignal.InboxChanged("u2")));

        String wire = m.toWire();

        assertThat(wire).startsWith("1 n1 1733500000123 E1042,1017,uu+1%3Bx,").matches("\\p{Print}+");
        assertThat(ClusterMessage.parse(wire)).isEqualTo(m);
    }

    @Test
    void aLiveEntryTooLongForTheWireTravelsAsThePlainSignalOfItsSequenceAndAudience() {
        ClusterSignal.LiveEntry big = new ClusterSignal.LiveEntry(9, 3, Audience.user("u1"), "x".repeat(ClusterMessage.MAX_WIRE_CHARS));
        ClusterSignal.LiveEntry small = new ClusterSignal.LiveEntry(10, 9, Audience.user("u1"), "{}");

        List<ClusterMessage> packed = ClusterMessage.pack("n1", AT, List.of(big, small));

        assertThat(packed.stream().flatMap(m -> m.signals().stream()).toList())
                .containsExactly(new ClusterSignal.LogAppended(9, List.of(Audience.user("u1"))), small);
    }

    @Test
    void aLiveEntryMustComeAfterItsPrevious() {
        assertThatThrownBy(() -> new ClusterSignal.LiveEntry(5, 5, Audience.user("u1"), "{}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLogSignalWithoutAudiencesIsShort() {
        assertThat(new ClusterMessage("n1", AT, List.of(new ClusterSignal.LogAppended(7, List.of()))).toWire())
                .isEqualTo("1 n1 1733500000123 L7");
    }

    @Test
    void unknownSignalKindsFromNewerNodesAreSkipped() {
        assertThat(ClusterMessage.parse("1 n1 5 X99;Iu1").signals()).containsExactly(new ClusterSignal.InboxChanged("u1"));
    }

    @Test
    void garbageIsRefusedWithTheStartOfWhatArrived() {
        assertThatThrownBy(() -> ClusterMessage.parse("hello")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hello");
        assertThatThrownBy(() -> ClusterMessage.parse("1 n1 notanumber L1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void packingKeepsEveryWireFormWithinTheLimitAndLosesNoSignal() {
        List<ClusterSignal> signals = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            signals.add(new ClusterSignal.InboxChanged("user-with-a-longish-id-" + i));
        }
        List<ClusterMessage> packed = ClusterMessage.pack("n1", AT, signals);

        assertThat(packed).hasSizeGreaterThan(1);
        assertThat(packed).allSatisfy(m -> assertThat(m.toWire().length()).isLessThanOrEqualTo(ClusterMessage.MAX_WIRE_CHARS));
        assertThat(packed.stream().flatMap(m -> m.signals().stream()).toList()).isEqualTo(signals);
    }

    @Test
    void aLogSignalTooLongToFitIsSentWithoutItsAudiences() {
        List<Audience> wide = new ArrayList<>();
        for (int i = 0; i < ClusterSignal.MAX_AUDIENCES; i++) {
            wide.add(Audience.user("x".repeat(100) + i));
        }
        List<ClusterMessage> packed = ClusterMessage.pack("n1", AT, List.of(new ClusterSignal.LogAppended(9, wide)));

        assertThat(packed).singleElement().satisfies(m ->
                assertThat(m.signals()).containsExactly(new ClusterSignal.LogAppended(9, List.of())));
    }

    @Test
    void aLogSignalWiderThanTheLimitNamesNoAudience() {
        List<Audience> wide = new ArrayList<>();
        for (int i = 0; i <= ClusterSignal.MAX_AUDIENCES; i++) {
            wide.add(Audience.user("u" + i));
        }
        assertThat(new ClusterSignal.LogAppended(3, wide).audiences()).isEmpty();
    }
}
