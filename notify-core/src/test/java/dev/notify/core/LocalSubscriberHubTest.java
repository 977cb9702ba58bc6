package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalSubscriberHubTest {

    private final LocalSubscriberHub hub = new LocalSubscriberHub(Clock.systemUTC(), 3);

    private static final class Recorder implements Subscriber {
        final List<Long> events = new CopyOnWriteArrayList<>();
        final List<HubSignal> signals = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(EventLogEntry entry) {
            events.add(entry.sequence());
        }

        @Override
        public void onSignal(HubSignal signal) {
            signals.add(signal);
        }
    }

    private static EventLogEntry entry(long seq, Audience a) {
        Notification.Builder b = Notification.builder();
        if (a instanceof Audience.User) {
            b.recipient(((Audience.User) a).userId());
        } else {
            b.topic(((Audience.Topic) a).topic());
        }
        return new EventLogEntry(seq, a, b.build());
    }

    @Test
    void routesUserEntriesToThatUsersSubscribersOfTheSameChannelOnly() {
        Recorder u1Sse = new Recorder();
        Recorder u1Ws = new Recorder();
        Recorder u2Sse = new Recorder();
        hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of()), u1Sse);
        hub.subscribe(new SubscriptionRequest("ws", "b", "u1", Set.of()), u1Ws);
        hub.subscribe(new SubscriptionRequest("sse", "c", "u2", Set.of()), u2Sse);

        assertThat(hub.fanOut("sse", entry(1, Audience.user("u1")))).isEqualTo(1);
        assertThat(u1Sse.events).containsExactly(1L);
        assertThat(u1Ws.events).isEmpty();
        assertThat(u2Sse.events).isEmpty();
    }

    @Test
    void routesTopicEntriesToExactAndPatternSubscribersOnce() {
        Recorder exact = new Recorder();
        Recorder pattern = new Recorder();
        Recorder both = new Recorder();
        Recorder other = new Recorder();
        hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of("task:abc")), exact);
        hub.subscribe(new SubscriptionRequest("sse", "b", "u2", Set.of("task:*")), pattern);
        hub.subscribe(new SubscriptionRequest("sse", "c", "u3", Set.of("task:abc", "task:*")), both);
        hub.subscribe(new SubscriptionRequest("sse", "d", "u4", Set.of("news")), other);

        assertThat(hub.fanOut("sse", entry(7, Audience.topic("task:abc")))).isEqualTo(3);
        assertThat(exact.events).containsExactly(7L);
        assertThat(pattern.events).containsExactly(7L);
        assertThat(both.events).containsExactly(7L);
        assertThat(other.events).isEmpty();
    }

    @Test
    void updatingAndClosingSubscriptionsChangesWhatArrives() {
        Recorder r = new Recorder();
        Subscription s = hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of("news")), r);
        s.updateTopics(Set.of("sport"));
        hub.fanOut("sse", entry(1, Audience.topic("news")));
        hub.fanOut("sse", entry(2, Audience.topic("sport")));
        s.close();
        s.close();
        hub.fanOut("sse", entry(3, Audience.topic("sport")));
        hub.fanOut("sse", entry(4, Audience.user("u1")));

        assertThat(r.events).containsExactly(2L);
        assertThat(hub.connections()).isEmpty();
        assertThat(hub.connectionCount("u1")).isZero();
    }

    @Test
    void limitsConnectionsPerUserAndFreesThePlaceOnClose() {
        Subscription first = hub.subscribe(new SubscriptionRequest("sse", "1", "u1", Set.of()), new Recorder());
        hub.subscribe(new SubscriptionRequest("sse", "2", "u1", Set.of()), new Recorder());
        hub.subscribe(new SubscriptionRequest("ws", "3", "u1", Set.of()), new Recorder());
        assertThatThrownBy(() -> hub.subscribe(new SubscriptionRequest("sse", "4", "u1", Set.of()), new Recorder()))
                .isInstanceOf(SubscriberHub.TooManyConnectionsException.class).hasMessageContaining("u1");
        first.close();
        hub.subscribe(new SubscriptionRequest("sse", "4", "u1", Set.of()), new Recorder());
        assertThat(hub.connectionCount("u1")).isEqualTo(3);
        assertThat(hub.connections()).extracting(c -> c.channel()).containsExactlyInAnyOrder("sse", "ws", "sse");
    }

    @Test
    void countsTheNodesLiveConnectionsWithoutListingThem() {
        assertThat(hub.connectionCount()).isZero();
        Subscription a = hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of()), new Recorder());
        hub.subscribe(new SubscriptionRequest("ws", "b", "u2", Set.of("news")), new Recorder());
        assertThat(hub.connectionCount()).isEqualTo(2).isEqualTo(hub.connections().size());

        a.close();

        assertThat(hub.connectionCount()).isEqualTo(1).isEqualTo(hub.connections().size());
    }

    @Test
    void aSubscriberThatThrowsIsDroppedWithoutHurtingOthers() {
        Recorder good = new Recorder();
        hub.subscribe(new SubscriptionRequest("sse", "bad", "u1", Set.of()), new Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
                throw new IllegalStateException("socket gone");
            }

            @Override
            public void onSignal(HubSignal signal) {
            }
        });
        hub.subscribe(new SubscriptionRequest("sse", "good", "u1", Set.of()), good);
        hub.fanOut("sse", entry(1, Audience.user("u1")));
        hub.fanOut("sse", entry(2, Audience.user("u1")));
        assertThat(good.events).containsExactly(1L, 2L);
        assertThat(hub.connectionCount("u1")).isEqualTo(1);
    }

    @Test
    void signalsReachEveryConnectionOfTheUserOnEveryChannel() {
        Recorder sse = new Recorder();
        Recorder ws = new Recorder();
        hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of()), sse);
        hub.subscribe(new SubscriptionRequest("ws", "b", "u1", Set.of()), ws);
        HubSignal stats = new HubSignal.StatsChanged(new InboxStats(2, 1, 1));
        hub.signal("u1", stats);
        hub.signalAll(new HubSignal.ShuttingDown("bye"));
        assertThat(sse.signals).containsExactly(stats, new HubSignal.ShuttingDown("bye"));
        assertThat(ws.signals).containsExactly(stats, new HubSignal.ShuttingDown("bye"));
    }

    @Test
    void deliversOnceToASubscriberOfOverlappingPatterns() {
        Recorder overlapping = new Recorder();
        Recorder everything = new Recorder();
        Recorder elsewhere = new Recorder();
        hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of("task:*", "task:a*", "task:abc")), overlapping);
        hub.subscribe(new SubscriptionRequest("sse", "b", "u2", Set.of("*")), everything);
        hub.subscribe(new SubscriptionRequest("sse", "c", "u3", Set.of("build:*")), elsewhere);

        assertThat(hub.fanOut("sse", entry(1, Audience.topic("task:abc")))).isEqualTo(2);
        assertThat(hub.fanOut("sse", entry(2, Audience.topic("task:b")))).isEqualTo(2);
        assertThat(hub.fanOut("ws", entry(3, Audience.topic("task:b")))).isZero();
        assertThat(overlapping.events).containsExactly(1L, 2L);
        assertThat(everything.events).containsExactly(1L, 2L);
        assertThat(elsewhere.events).isEmpty();
    }

    @Test
    void patternSubscriptionsStopMatchingWhenChangedOrClosed() {
        Recorder r = new Recorder();
        Subscription sub = hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of("task:*")), r);
        sub.updateTopics(Set.of("build:*"));
        assertThat(hub.fanOut("sse", entry(1, Audience.topic("task:x")))).isZero();
        assertThat(hub.fanOut("sse", entry(2, Audience.topic("build:x")))).isEqualTo(1);
        sub.close();
        assertThat(hub.fanOut("sse", entry(3, Audience.topic("build:x")))).isZero();
        assertThat(r.events).containsExactly(2L);
    }

    @Test
    void oneUsersSubscribeLoopDoesNotCopyEveryOtherPatternSubscriber() {
        // issue 13: pattern subscribers lived in a copy-on-write set, so each subscribe or unsubscribe
        // of one user copied the whole set: 20,000 others made every change cost ~80 KB and O(n) time
        LocalSubscriberHub big = new LocalSubscriberHub(Clock.systemUTC(), 3);
        for (int i = 0; i < 20_000; i++) {
            big.subscribe(new SubscriptionRequest("sse", "c" + i, "u" + i, Set.of("task:" + (i % 50) + "*")), new Recorder());
        }
        Subscription mine = big.subscribe(new SubscriptionRequest("sse", "mine", "attacker", Set.of("task:*")), new Recorder());
        for (int warm = 0; warm < 200; warm++) {
            mine.updateTopics(Set.of(warm % 2 == 0 ? "build:*" : "task:*"));
        }
        long before = allocatedBytes();
        for (int i = 0; i < 1_000; i++) {
            mine.updateTopics(Set.of(i % 2 == 0 ? "build:*" : "task:*"));
        }
        long perChange = (allocatedBytes() - before) / 1_000;
        // a change allocates its own small objects (the topic set, a prefix string), never a copy of the others
        assertThat(perChange).as("bytes allocated per topic change with 20,000 other pattern subscribers").isLessThan(2_048);
    }

    // through reflection: the test classes compile inside the dev.notify.core module, which does not read java.management
    private static long allocatedBytes() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            java.lang.reflect.Method allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
            return (Long) allocated.invoke(threads, Thread.currentThread().getId());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("this JVM does not count allocated bytes per thread", e);
        }
    }
}
