package dev.notify.stream;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Subscription;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionStateTest {

    private final ConnectionState state = new ConnectionState();

    private static EventLogEntry entry(long seq) {
        return new EventLogEntry(seq, Audience.user("u1"), Notification.builder().recipient("u1").build());
    }

    private static List<Long> sequences(List<EventLogEntry> entries) {
        List<Long> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.sequence()));
        return out;
    }

    @Test
    void goingLiveWithoutAReplayReleasesEverythingHeldInOrder() {
        assertThat(state.phase()).isEqualTo(ConnectionState.Phase.STARTING);
        state.hold(entry(5), 10);
        state.hold(entry(3), 10);
        List<EventLogEntry> released = new ArrayList<>();
        state.goLive(released::add);
        assertThat(sequences(released)).containsExactly(5L, 3L);
        assertThat(state.isLive()).isTrue();
    }

    @Test
    void goingLiveAfterAReplayReleasesOnlyWhatTheReplayDidNotCover() {
        state.beginReplay(10);
        state.hold(entry(11), 10);
        state.hold(entry(12), 10);
        state.hold(entry(13), 10);
        assertThat(state.claimFetch()).isTrue();
        assertThat(state.pageStart()).isEqualTo(10);
        assertThat(state.pageRead()).isTrue();
        state.replayed(11);
        state.replayed(12);
        assertThat(state.replayCursor()).isEqualTo(12);
        List<EventLogEntry> released = new ArrayList<>();
        state.goLive(released::add);
        assertThat(sequences(released)).containsExactly(13L);
    }

    @Test
    void onePageIsReadAtATime() {
        state.beginReplay(0);
        assertThat(state.claimFetch()).isTrue();
        assertThat(state.claimFetch()).as("a page is being read").isFalse();
        state.pageRead();
        assertThat(state.claimFetch()).isTrue();
    }

    @Test
    void aPageReadAfterTheConnectionClosedIsDropped() {
        state.beginReplay(0);
        state.claimFetch();
        state.close();
        assertThat(state.pageRead()).isFalse();
        assertThat(state.pageStart()).isNegative();
        assertThat(state.claimFetch()).isFalse();
    }

    @Test
    void holdingMoreThanTheLimitSaysTheReaderIsTooSlow() {
        assertThat(state.hold(entry(1), 2)).isTrue();
        assertThat(state.hold(entry(2), 2)).isTrue();
        assertThat(state.hold(entry(3), 2)).isFalse();
    }

    @Test
    void closingHandsBackTheSubscriptionOnceAndASubscriptionAttachedAfterwardsIsClosedAtOnce() {
        FakeSubscription first = new FakeSubscription();
        state.attach(first);
        assertThat(state.close()).containsSame(first);
        assertThat(state.close()).isEmpty();
        assertThat(state.isClosed()).isTrue();

        FakeSubscription late = new FakeSubscription();
        state.attach(late);
        assertThat(late.closed).isTrue();
    }

    private static final class FakeSubscription implements Subscription {
        boolean closed;

        @Override
        public String clientId() {
            return "c1";
        }

        @Override
        public Set<String> topics() {
            return Set.of();
        }

        @Override
        public void updateTopics(Set<String> topics) {
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
