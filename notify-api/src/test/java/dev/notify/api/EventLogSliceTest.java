package dev.notify.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventLogSliceTest {

    private static EventLogEntry entry(long seq, String collapseKey) {
        Notification n = Notification.builder().recipient("u1").collapseKey(collapseKey).build();
        return new EventLogEntry(seq, Audience.user("u1"), n);
    }

    private static List<Long> sequences(EventLogSlice s) {
        List<Long> out = new ArrayList<>();
        s.entries().forEach(e -> out.add(e.sequence()));
        return out;
    }

    @Test
    void collapsedKeepsTheNewestEntryPerKeyAndEveryUnkeyedOneInOrder() {
        EventLogSlice slice = new EventLogSlice(List.of(entry(1, "task:a"), entry(2, null), entry(3, "task:b"),
                entry(4, "task:a"), entry(5, "task:a"), entry(6, null), entry(7, "task:b")), 9, true);

        EventLogSlice collapsed = slice.collapsed();

        assertThat(sequences(collapsed)).containsExactly(2L, 5L, 6L, 7L);
        assertThat(collapsed.latestSequence()).isEqualTo(9);
        assertThat(collapsed.pruned()).isTrue();
    }

    @Test
    void collapsedAlwaysKeepsTheLastEntrySoAReaderResumesAfterTheWholeSlice() {
        EventLogSlice slice = new EventLogSlice(List.of(entry(10, "k"), entry(11, "k"), entry(12, "k")), 12, false);

        assertThat(sequences(slice.collapsed())).containsExactly(12L);
    }

    @Test
    void collapsedIsTheSameSliceWhenNothingCollapses() {
        EventLogSlice slice = new EventLogSlice(List.of(entry(1, "a"), entry(2, null), entry(3, "b")), 3, false);

        assertThat(slice.collapsed()).isSameAs(slice);
    }
}
