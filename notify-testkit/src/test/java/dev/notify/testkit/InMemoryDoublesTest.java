package dev.notify.testkit;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.JsonException;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test kit's in-memory doubles behave as the host's pieces do, so channel tests over them mean something. */
class InMemoryDoublesTest {

    private static Notification note(String id) {
        return Notification.builder().id(id).recipient("u1").title(id).build();
    }

    /** Records what a subscription receives. */
    private static final class Seen implements Subscriber {
        final List<Object> got = new ArrayList<>();

        @Override
        public void onEvent(EventLogEntry entry) {
            got.add(entry.sequence());
        }

        @Override
        public void onSignal(HubSignal signal) {
            got.add(signal);
        }
    }

    @Nested
    @DisplayName("InMemorySubscriberHub")
    class Hub {

        @Test
        @DisplayName("fans a user entry to that user's subscriptions of the channel and a topic entry to matching topics")
        void matchesLikeTheEngine() {
            InMemorySubscriberHub hub = new InMemorySubscriberHub();
            Seen u1Sse = new Seen();
            Seen u1Ws = new Seen();
            Seen u2Tasks = new Seen();
            hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of()), u1Sse);
            hub.subscribe(new SubscriptionRequest("ws", "b", "u1", Set.of()), u1Ws);
            hub.subscribe(new SubscriptionRequest("sse", "c", "u2", Set.of("task:*")), u2Tasks);
            Notification n = note("n1");

            assertThat(hub.fanOut("sse", new EventLogEntry(1, Audience.user("u1"), n))).isEqualTo(1);
            assertThat(hub.fanOut("sse", new EventLogEntry(2, Audience.topic("task:abc"), n))).isEqualTo(1);
            assertThat(hub.fanOut("sse", new EventLogEntry(3, Audience.topic("news"), n))).isZero();
            assertThat(u1Sse.got).containsExactly(1L);
            assertThat(u1Ws.got).as("another channel's subscription").isEmpty();
            assertThat(u2Tasks.got).containsExactly(2L);
        }

        @Test
        @DisplayName("refuses a user's connection past the limit, follows topic updates and forgets closed subscriptions")
        void limitsUpdatesAndCloses() {
            InMemorySubscriberHub hub = new InMemorySubscriberHub(1);
            Seen seen = new Seen();
            Subscription s = hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of("news")), seen);
            assertThatThrownBy(() -> hub.subscribe(new SubscriptionRequest("ws", "b", "u1", Set.of()), new Seen()))
                    .isInstanceOf(SubscriberHub.TooManyConnectionsException.class).hasMessageContaining("u1");
            s.updateTopics(Set.of("task:*"));
            hub.fanOut("sse", new EventLogEntry(7, Audience.topic("task:x"), note("n1")));
            hub.fanOut("sse", new EventLogEntry(8, Audience.topic("news"), note("n2")));
            assertThat(seen.got).containsExactly(7L);
            assertThat(hub.connections()).singleElement().satisfies(c -> assertThat(c.topics()).containsExactly("task:*"));
            s.close();
            assertThat(hub.subscriptions()).isEmpty();
            assertThat(hub.connectionCount("u1")).isZero();
            assertThatThrownBy(() -> new InMemorySubscriberHub(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("InMemoryEventLog")
    class Log {

        @Test
        @DisplayName("reads a user's and a topic's entries after a sequence, up to a limit, and says when that was pruned")
        void readsAfterInOrder() {
            InMemoryEventLog log = new InMemoryEventLog();
            Notification n = note("n1");
            log.append(new EventLogEntry(1, Audience.user("u1"), n));
            log.append(new EventLogEntry(2, Audience.user("u2"), n));
            log.append(new EventLogEntry(3, Audience.topic("task:a"), n));
            log.append(new EventLogEntry(4, Audience.user("u1"), n));

            assertThat(log.readAfter(0, "u1", Set.of("task:*"), 10).entries()).extracting(EventLogEntry::sequence).containsExactly(1L, 3L, 4L);
            assertThat(log.readAfter(1, "u1", Set.of(), 1).entries()).extracting(EventLogEntry::sequence).containsExactly(4L);
            assertThat(log.readAfter(0, "u1", Set.of(), 10).latestSequence()).isEqualTo(4);
            log.pruneThrough(2);
            assertThat(log.readAfter(1, "u1", Set.of(), 10).pruned()).isTrue();
            assertThat(log.readAfter(2, "u1", Set.of(), 10).pruned()).isFalse();
            assertThat(log.reads()).isEqualTo(5);
            assertThatThrownBy(() -> log.append(new EventLogEntry(4, Audience.user("u1"), n)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not above");
        }
    }

    @Nested
    @DisplayName("InMemoryInbox")
    class InboxDouble {

        @Test
        @DisplayName("lists newest first with an unread filter and cursor pages, and counts")
        void listsAndCounts() {
            InMemoryInbox inbox = new InMemoryInbox().add("u1", note("a"), true).add("u1", note("b")).add("u1", note("c"));
            assertThat(inbox.stats("u1")).isEqualTo(new InboxStats(3, 2, 1));
            Page<InboxItem> first = inbox.list(new InboxQuery("u1", false, Optional.empty(), 2));
            assertThat(first.items()).extracting(i -> i.notification().id()).containsExactly("c", "b");
            Page<InboxItem> second = inbox.list(new InboxQuery("u1", false, first.nextCursor(), 2));
            assertThat(second.items()).extracting(i -> i.notification().id()).containsExactly("a");
            assertThat(second.nextCursor()).isEmpty();
            assertThat(inbox.list(new InboxQuery("u1", true, Optional.empty(), 10)).items()).extracting(InboxItem::read).containsOnly(false);
            assertThat(inbox.recentUnread("u1", 1)).extracting(i -> i.notification().id()).containsExactly("c");
            assertThat(inbox.stats("nobody")).isEqualTo(new InboxStats(0, 0, 0));
        }

        @Test
        @DisplayName("marks and deletes only the owner's items, and pushes the new counts through the hub")
        void scopedChangesSignalStats() {
            InMemorySubscriberHub hub = new InMemorySubscriberHub();
            Seen u1 = new Seen();
            hub.subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of()), u1);
            InMemoryInbox inbox = new InMemoryInbox().signalStatsTo(hub).add("u1", note("a")).add("u1", note("b"));

            assertThat(inbox.mark("u2", List.of("a"), true)).as("another user's id is not found").isZero();
            assertThat(inbox.mark("u1", List.of("a", "a", "zzz"), true)).isEqualTo(1);
            assertThat(inbox.mark("u1", List.of("a"), true)).as("already read: nothing changes").isZero();
            assertThat(inbox.markAllRead("u1")).isEqualTo(1);
            assertThat(inbox.mark("u1", List.of("b"), false)).isEqualTo(1);
            assertThat(inbox.delete("u2", List.of("b"))).isZero();
            assertThat(inbox.delete("u1", List.of("b"))).isEqualTo(1);
            assertThat(u1.got).containsExactly(new HubSignal.StatsChanged(new InboxStats(2, 1, 1)),
                    new HubSignal.StatsChanged(new InboxStats(2, 0, 2)), new HubSignal.StatsChanged(new InboxStats(2, 1, 1)),
                    new HubSignal.StatsChanged(new InboxStats(1, 0, 1)));
            assertThat(inbox.list(InboxQuery.firstPage("u1")).items()).singleElement()
                    .satisfies(i -> assertThat(i.readAt()).isPresent());
        }
    }

    @Nested
    @DisplayName("SimpleJsonCodec")
    class Json {
        private final SimpleJsonCodec json = new SimpleJsonCodec();

        @Test
        @DisplayName("writes what channels send and reads objects back with numbers as BigDecimal")
        void roundTrips() {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("s", "quote \" backslash \\ newline \n tab \t bell \u0007");
            value.put("n", 42);
            value.put("b", true);
            value.put("z", null);
            value.put("l", List.of(1, "two"));
            value.put("at", Instant.parse("2030-01-01T00:00:00Z"));
            String text = json.toJson(value);
            assertThat(text).startsWith("{\"s\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\",\"n\":42");
            Map<String, Object> back = json.parseObject(text);
            assertThat(back).containsEntry("s", value.get("s")).containsEntry("n", new BigDecimal(42)).containsEntry("b", true)
                    .containsEntry("z", null).containsEntry("l", List.of(BigDecimal.ONE, "two")).containsEntry("at", "2030-01-01T00:00:00Z");
            assertThat(json.parseObject("{\"u\":\"\\u00e9\\/\"}")).containsEntry("u", "é/");
        }

        @Test
        @DisplayName("refuses malformed JSON, non-objects and values it cannot write, with a JsonException")
        void refusesBadInput() {
            for (String bad : List.of("", "{", "{\"a\":}", "{\"a\":1}x", "[1]", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{a:1}")) {
                assertThatThrownBy(() -> json.parseObject(bad)).as(bad).isInstanceOf(JsonException.class);
            }
            assertThatThrownBy(() -> json.toJson(new Object())).isInstanceOf(JsonException.class).hasMessageContaining("java.lang.Object");
            assertThatThrownBy(() -> json.fromJson("{}", Map.class)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    @DisplayName("MutableClock stands still until advanced, and never advances backwards")
    void mutableClock() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        clock.advance(java.time.Duration.ofSeconds(90));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2030-01-01T00:01:30Z"));
        assertThat(clock.millis()).isEqualTo(Instant.parse("2030-01-01T00:01:30Z").toEpochMilli());
        assertThatThrownBy(() -> clock.advance(java.time.Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        clock.set(Instant.parse("2029-12-31T23:59:59Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2029-12-31T23:59:59Z"));
        assertThat(clock.withZone(java.time.ZoneId.of("Europe/Paris")).getZone()).isEqualTo(java.time.ZoneOffset.UTC);
    }

    @Test
    @DisplayName("ChannelContract closes the contexts it asked for, after the channels made with them")
    void theContractClosesItsContexts() {
        List<TestChannelContext> made = new ArrayList<>();
        ChannelContract contract = new ChannelContract() {
            @Override
            protected dev.notify.api.spi.ChannelProvider provider() {
                return new RecordingChannelProvider();
            }

            @Override
            protected dev.notify.api.spi.ChannelContext context() {
                TestChannelContext c = TestChannelContext.builder(RecordingChannelProvider.NAME).build();
                made.add(c);
                return c;
            }
        };
        contract.openChannel();
        contract.openChannel();
        assertThat(made).hasSize(2).noneSatisfy(c -> assertThat(c.scheduler().isShutdown()).isTrue());
        contract.closeOpenedChannels();
        assertThat(made).allSatisfy(c -> assertThat(c.scheduler().isShutdown()).isTrue());
    }

    @Test
    @DisplayName("TestChannelContext.inMemoryDoubles() fills every missing piece, and the inbox signals through the hub")
    void contextWithDoubles() {
        try (TestChannelContext context = TestChannelContext.builder("sse").inMemoryDoubles().build()) {
            assertThat(context.json()).isInstanceOf(SimpleJsonCodec.class);
            assertThat(context.eventLog()).isInstanceOf(InMemoryEventLog.class);
            Seen seen = new Seen();
            context.hub().subscribe(new SubscriptionRequest("sse", "a", "u1", Set.of()), seen);
            ((InMemoryInbox) context.inbox()).add("u1", note("a"));
            context.inbox().markAllRead("u1");
            assertThat(seen.got).containsExactly(new HubSignal.StatsChanged(new InboxStats(1, 0, 1)));
        }
    }
}
