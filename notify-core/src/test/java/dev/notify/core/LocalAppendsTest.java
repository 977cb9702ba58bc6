package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.PublishResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalAppendsTest {

    private final LocalAppends local = new LocalAppends();

    private static PublishResult appended(long... sequences) {
        Notification n = Notification.builder().topic("t").title("x").build();
        List<EventLogEntry> entries = new ArrayList<>();
        for (long s : sequences) {
            entries.add(new EventLogEntry(s, Audience.topic("t"), n));
        }
        return new PublishResult(n, false, entries, List.of());
    }

    private static List<Long> sequences(List<EventLogEntry> entries) {
        return entries.stream().map(EventLogEntry::sequence).toList();
    }

    @Test
    void entriesComeOutOneSequenceAfterTheOtherFromThePositionAndOnlyOnce() {
        local.add(List.of(appended(11, 12), appended(13)));

        assertThat(sequences(local.next(10, 2))).containsExactly(11L, 12L);
        assertThat(sequences(local.next(12, 100))).containsExactly(13L);
        assertThat(local.next(13, 100)).isEmpty();
        assertThat(local.size()).isZero();
    }

    @Test
    void nothingComesOutWhenTheNextSequenceIsMissing() {
        local.add(List.of(appended(12, 13)));

        assertThat(local.next(10, 100)).as("11 is another node's: the store has it").isEmpty();
        assertThat(sequences(local.next(11, 100))).containsExactly(12L, 13L);
    }

    @Test
    void whatTheTailerReadFromTheStoreIsDroppedAndNotKeptWhenNotedLate() {
        local.add(List.of(appended(11, 12, 13)));
        local.passed(12);

        assertThat(local.size()).isEqualTo(1);
        local.add(List.of(appended(9)));
        assertThat(local.size()).as("a late note of an entry already passed").isEqualTo(1);
        assertThat(sequences(local.next(12, 100))).containsExactly(13L);
    }

    @Test
    void keepsAtMostItsCapacityAndTheRestIsLeftToTheStore() {
        long[] many = new long[LocalAppends.CAPACITY + 10];
        for (int i = 0; i < many.length; i++) {
            many[i] = i + 1;
        }
        local.add(List.of(appended(many)));

        assertThat(local.size()).isEqualTo(LocalAppends.CAPACITY);
        assertThat(local.next(0, Integer.MAX_VALUE)).hasSize(LocalAppends.CAPACITY);
    }
}
