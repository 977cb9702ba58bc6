package dev.notify.channel.ws.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Identity;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.stream.LiveFanOut;
import dev.notify.testkit.InMemoryEventLog;
import dev.notify.testkit.InMemoryInbox;
import dev.notify.testkit.InMemorySubscriberHub;
import dev.notify.testkit.MutableClock;
import dev.notify.testkit.SimpleJsonCodec;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class WsConnectionTest {

    private final InMemorySubscriberHub hub = new InMemorySubscriberHub(5);
    private final InMemoryEventLog log = new InMemoryEventLog();
    private final InMemoryInbox inbox = new InMemoryInbox();
    private final SimpleJsonCodec json = new SimpleJsonCodec();
    private final MutableClock clock = new MutableClock();
    private final AtomicLong seq = new AtomicLong();
    private final Map<String, String> config = new HashMap<>(Map.of("ping-interval", "1h"));
    private final Identity u1 = new Identity("u1", Set.of("task:*", "news"));
    private TestChannelContext context;
    private WsChannel channel;

    private WsChannel channel() {
        if (channel == null) {
            inbox.signalStatsTo(hub);
            context = TestChannelContext.builder("ws").config(config).json(json).hub(hub).eventLog(log).inbox(inbox).clock(clock).build();
            channel = new WsChannel(context, WsSettings.from(context.config()), "/ws");
        }
        return channel;
    }

    @BeforeEach
    void fillTheInbox() {
        // u1 has three notifications: n1 and n2 unread, n0 read
        inbox.add("u1", Notification.builder().id("n0").recipient("u1").title("seen").build(), true)
                .add("u1", Notification.builder().id("n1").recipient("u1").title("first").build())
                .add("u1", Notification.builder().id("n2").recipient("u1").title("second").build());
    }

    @AfterEach
    void closeAll() {
        if (channel != null) {
            channel.close();
            context.close();
        }
    }

    /** A sink standing in for a session: sends complete at once unless stalled; blocking tasks run inline. */
    static final class FakeSink implements WsConnection.Sink {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final Set<String> sendingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<Consumer<Throwable>> pending = new ArrayList<>();
        volatile boolean stalled;
        // runs at the start of every send, in the sending thread (may block it)
        volatile Runnable beforeSend = () -> { };
        volatile int closeCode;
        volatile String closeReason;
        volatile int pings;

        @Override
        public void send(String text, Consumer<Throwable> done) {
            beforeSend.run();
            sent.add(text);
            sendingThreads.add(Thread.currentThread().getName());
            if (stalled) {
                synchronized (pending) {
                    pending.add(done);
                }
            } else {
                done.accept(null);
            }
        }

        void release() {
            stalled = false;
            while (true) {
                Consumer<Throwable> d;
                synchronized (pending) {
                    if (pending.isEmpty()) {
                        return;
                    }
                    d = pending.remove(0);
                }
                d.accept(null);
            }
        }

        @Override
        public void ping() {
            pings++;
        }

        @Override
        public void close(int code, String reason) {
            if (closeCode == 0) {
                closeCode = code;
                closeReason = reason;
            }
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }
    }

    private WsConnection open(FakeSink sink, Identity who, Set<String> topics, OptionalLong after) {
        WsConnection c = channel().newConnection(who, topics);
        c.attach(hub.subscribe(new SubscriptionRequest("ws", c.clientId(), who.userId(), topics), c));
        c.start(sink, inbox.stats(who.userId()), after, log.latestSequence());
        return c;
    }

    private EventLogEntry append(Audience audience, String title) {
        Notification n = Notification.builder().recipient("u1").topic("task:abc").event("task.progress").title(title).build();
        EventLogEntry e = new EventLogEntry(seq.incrementAndGet(), audience, n);
        log.append(e);
        return e;
    }

    private void publish(EventLogEntry... entries) {
        Notification n = entries[0].notification();
        channel().deliver(new Delivery(n.id() + "/ws/*", n, "ws", Delivery.STREAM_TARGET, 1, List.of(entries)));
    }

    private List<Map<String, Object>> frames(FakeSink sink) {
        return sink.sent.stream().map(json::parseObject).collect(Collectors.toList());
    }

    private List<String> types(FakeSink sink) {
        return frames(sink).stream().map(m -> (String) m.get("type")).collect(Collectors.toList());
    }

    private List<Long> eventIds(FakeSink sink) {
        return frames(sink).stream().filter(m -> m.containsKey("id")).map(m -> ((Number) m.get("id")).longValue()).collect(Collectors.toList());
    }

    private Map<String, Object> last(FakeSink sink) {
        List<Map<String, Object>> f = frames(sink);
        return f.get(f.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Map<String, Object> frame) {
        return (Map<String, Object>) frame.get("data");
    }

    @Nested
    @DisplayName("on open")
    class OnOpen {

        @Test
        void sendsWhatReachedItBetweenSubscribingAndStartingAfterTheGreeting() {
            WsConnection c = channel().newConnection(u1, Set.of());
            c.attach(hub.subscribe(new SubscriptionRequest("ws", c.clientId(), "u1", Set.of()), c));
            EventLogEntry early = append(Audience.user("u1"), "early");
            publish(early);
            FakeSink sink = new FakeSink();
            c.start(sink, inbox.stats("u1"), OptionalLong.empty(), log.latestSequence());
            assertThat(types(sink)).containsExactly("connected", "stats", "task.progress");
            assertThat(eventIds(sink)).containsExactly(early.sequence());
        }

        @Test
        void sendsConnectedThenStats() {
            append(Audience.user("u1"), "before");
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of("task:abc"), OptionalLong.empty());
            assertThat(types(sink)).containsExactly("connected", "stats");
            Map<String, Object> connected = data(frames(sink).get(0));
            assertThat(connected).containsEntry("client_id", c.clientId()).containsEntry("user_id", "u1")
                    .containsEntry("topics", List.of("task:abc")).containsEntry("last_id", BigDecimal.ONE).containsEntry("resume_after", BigDecimal.ONE);
            assertThat(data(frames(sink).get(1))).containsEntry("unread", new BigDecimal(2));
        }

        @Test
        void replaysAfterTheGivenIdThenSaysResumedThenGoesLive() {
            append(Audience.user("u1"), "1");
            append(Audience.user("u2"), "not mine");
            append(Audience.user("u1"), "3");
            FakeSink sink = new FakeSink();
            open(sink, u1, Set.of(), OptionalLong.of(1));
            assertThat(types(sink)).containsExactly("connected", "stats", "task.progress", "resumed");
            assertThat(eventIds(sink)).containsExactly(3L);
            assertThat(data(last(sink))).containsEntry("after", BigDecimal.ONE).containsEntry("replayed", BigDecimal.ONE)
                    .containsEntry("last_id", new BigDecimal(3)).containsEntry("pruned", false);
            publish(append(Audience.user("u1"), "live"));
            assertThat(eventIds(sink)).containsExactly(3L, 4L);
        }

        @Test
        void holdsLiveEventsDuringTheReplayAndSendsEachOnce() {
            append(Audience.user("u1"), "1");
            append(Audience.user("u1"), "2");
            FakeSink sink = new FakeSink();
            sink.stalled = true;
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.of(0));
            // published while the greeting is still being sent: 3 is in the log and arrives live too
            EventLogEntry third = append(Audience.user("u1"), "3");
            c.onEvent(third);
            sink.release();
            assertThat(eventIds(sink)).containsExactly(1L, 2L, 3L);
            assertThat(types(sink)).endsWith("resumed");
        }
    }

    @Nested
    @DisplayName("live events")
    class Live {
        @Test
        void areSentAsEnvelopes() {
            FakeSink sink = new FakeSink();
            open(sink, u1, Set.of(), OptionalLong.empty());
            EventLogEntry e = append(Audience.user("u1"), "hello");
            publish(e);
            Map<String, Object> m = last(sink);
            assertThat(m).containsEntry("type", "task.progress").containsEntry("id", BigDecimal.ONE).containsEntry("task_id", "abc")
                    .containsEntry("title", "hello").containsEntry("notification_id", e.notification().id());
        }

        @Test
        void aNotificationReachingAsUserAndTopicEntryIsSentOnceAndOneAckCoversBoth() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of("task:abc"), OptionalLong.empty());
            Notification n = Notification.builder().recipient("u1").topic("task:abc").event("task.progress").build();
            EventLogEntry user = new EventLogEntry(seq.incrementAndGet(), Audience.user("u1"), n);
            EventLogEntry topic = new EventLogEntry(seq.incrementAndGet(), Audience.topic("task:abc"), n);
            log.append(user);
            log.append(topic);
            publish(user, topic);
            assertThat(eventIds(sink)).containsExactly(1L);
            c.onText("{\"type\":\"ack\",\"id\":1}");
            assertThat(c.ackedThrough()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("client frames")
    class ClientFrames {
        @Test
        void pingIsAnsweredWithPongCarryingTheRef() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onText("{\"type\":\"ping\",\"ref\":\"p1\"}");
            assertThat(last(sink)).containsEntry("type", "pong").containsEntry("ref", "p1");
        }

        @Test
        void subscribeToAGrantedTopicDeliversItsEvents() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onText("{\"type\":\"subscribe\",\"topics\":[\"task:abc\"],\"ref\":1}");
            assertThat(last(sink)).containsEntry("type", "subscribed").containsEntry("ref", BigDecimal.ONE);
            assertThat(data(last(sink))).containsEntry("topics", List.of("task:abc"));
            publish(append(Audience.topic("task:abc"), "t"));
            assertThat(eventIds(sink)).containsExactly(1L);

            c.onText("{\"type\":\"unsubscribe\",\"topics\":[\"task:abc\"]}");
            assertThat(data(last(sink))).containsEntry("topics", List.of());
            publish(append(Audience.topic("task:abc"), "t2"));
            assertThat(eventIds(sink)).containsExactly(1L);
        }

        @Test
        void subscribeToAnUngrantedTopicIsAnErrorAndChangesNothing() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of("news"), OptionalLong.empty());
            c.onText("{\"type\":\"subscribe\",\"topics\":[\"task:abc\",\"secret\"]}");
            assertThat(last(sink)).containsEntry("type", "error");
            assertThat(data(last(sink))).containsEntry("frame", "subscribe");
            assertThat((String) data(last(sink)).get("reason")).contains("'secret' is not granted");
            assertThat(c.topics()).containsExactly("news");
        }

        @Test
        void invalidFramesAreAnsweredWithAnErrorAndTheConnectionStays() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onText("not json");
            assertThat(last(sink)).containsEntry("type", "error");
            assertThat((String) data(last(sink)).get("reason")).startsWith("the frame is not a JSON object");
            c.onText("{\"type\":\"nope\"}");
            assertThat((String) data(last(sink)).get("reason")).contains("unknown frame type 'nope'");
            c.onBinary();
            assertThat((String) data(last(sink)).get("reason")).contains("binary frames are not supported");
            assertThat(c.isClosed()).isFalse();
        }

        @Test
        void markReadGoesThroughTheInboxWhichPushesStats() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onText("{\"type\":\"mark_read\",\"ids\":[\"n1\"],\"ref\":\"m\"}");
            assertThat(inbox.recentUnread("u1", 10)).extracting(i -> i.notification().id()).containsExactly("n2");
            assertThat(types(sink)).containsExactly("connected", "stats", "stats", "marked");
            assertThat(data(frames(sink).get(2))).containsEntry("unread", BigDecimal.ONE);
            assertThat(last(sink)).containsEntry("ref", "m");
            assertThat(data(last(sink))).containsEntry("updated", BigDecimal.ONE);
        }

        @Test
        void anAckAheadOfWhatWasSentIsAnError() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onText("{\"type\":\"ack\",\"id\":5}");
            assertThat((String) data(last(sink)).get("reason")).contains("ack 5 is ahead");
        }
    }

    @Nested
    @DisplayName("ack and resume")
    class AckAndResume {
        @Test
        void aResumeByClientIdResendsExactlyWhatWasNotAcknowledged() {
            FakeSink first = new FakeSink();
            WsConnection c = open(first, u1, Set.of("task:abc"), OptionalLong.empty());
            publish(append(Audience.topic("task:abc"), "1"));
            publish(append(Audience.topic("task:abc"), "2"));
            publish(append(Audience.topic("task:abc"), "3"));
            c.onText("{\"type\":\"ack\",\"id\":1}");
            c.onClosed();
            publish(append(Audience.topic("task:abc"), "4 (while away)"));

            FakeSink second = new FakeSink();
            WsConnection again = open(second, u1, Set.of(), OptionalLong.empty());
            again.onText("{\"type\":\"resume\",\"client_id\":\"" + c.clientId() + "\",\"ref\":\"r\"}");
            assertThat(eventIds(second)).containsExactly(2L, 3L, 4L);
            assertThat(last(second)).containsEntry("type", "resumed").containsEntry("ref", "r");
            // the old connection's topics came along
            assertThat(again.topics()).containsExactly("task:abc");
            // a client id is good for one resume
            again.onText("{\"type\":\"resume\",\"client_id\":\"" + c.clientId() + "\"}");
            assertThat((String) data(last(second)).get("reason")).contains("unknown or expired");
        }

        @Test
        void anotherUsersClientIdIsUnknown() {
            FakeSink first = new FakeSink();
            WsConnection c = open(first, u1, Set.of(), OptionalLong.empty());
            c.onClosed();
            FakeSink second = new FakeSink();
            WsConnection other = open(second, new Identity("u2", Set.of()), Set.of(), OptionalLong.empty());
            other.onText("{\"type\":\"resume\",\"client_id\":\"" + c.clientId() + "\"}");
            assertThat((String) data(last(second)).get("reason")).contains("unknown or expired");
        }

        @Test
        void aResumeAfterLiveEventsDoesNotSendThemAgain() {
            append(Audience.user("u1"), "1 (before)");
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            publish(append(Audience.user("u1"), "2 (live)"));
            c.onText("{\"type\":\"resume\",\"after\":0}");
            assertThat(eventIds(sink)).containsExactly(2L, 1L);
            assertThat(data(last(sink))).containsEntry("replayed", BigDecimal.ONE);
        }

        @Test
        void anUnknownClientIdIsAnError() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onText("{\"type\":\"resume\",\"client_id\":\"ws-nope\"}");
            assertThat((String) data(last(sink)).get("reason")).contains("unknown or expired").contains("\"after\"");
        }
    }

    @Nested
    @DisplayName("buffer policy and closing")
    class BufferPolicy {
        @Test
        void aClientThatFallsBehindIsClosedWith1013AndUnsubscribed() {
            config.put("max-buffered-events", "3");
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            sink.stalled = true;
            for (int i = 0; i < 5; i++) {
                publish(append(Audience.user("u1"), "e" + i));
            }
            assertThat(sink.closeCode).isEqualTo(1013);
            assertThat(sink.closeReason).contains("resume");
            assertThat(c.isClosed()).isTrue();
            assertThat(hub.subscriptions()).isEmpty();
            assertThat(channel().connectionCount()).isZero();
        }

        @Test
        void aBufferWithinTheLimitDrainsInOrder() {
            config.put("max-buffered-events", "10");
            FakeSink sink = new FakeSink();
            open(sink, u1, Set.of(), OptionalLong.empty());
            sink.stalled = true;
            for (int i = 0; i < 8; i++) {
                publish(append(Audience.user("u1"), "e" + i));
            }
            assertThat(eventIds(sink)).containsExactly(1L);
            sink.release();
            assertThat(eventIds(sink)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(sink.closeCode).isZero();
        }

        @Test
        void aLargeFanOutReachesEveryConnectionInOrderAndStillDropsTheSlowOne() throws Exception {
            config.put("max-buffered-events", "3");
            int n = LiveFanOut.PARALLEL_FAN_OUT * 2 + 7;
            List<FakeSink> sinks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                FakeSink s = new FakeSink();
                open(s, new Identity("user-" + i, Set.of("news")), Set.of("news"), OptionalLong.empty());
                sinks.add(s);
            }
            FakeSink slow = sinks.get(n - 1);
            slow.stalled = true;
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (int k = 1; k <= 5; k++) {
                publish(append(Audience.topic("news"), "e" + k));
                // the writer threads may lag on a loaded machine; wait for them, so that only the stalled
                // client's buffer (not a share still waiting for its writer) can exceed the limit
                for (FakeSink s : sinks.subList(0, n - 1)) {
                    while (eventIds(s).size() < k && s.closeCode == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                }
            }
            for (FakeSink s : sinks.subList(0, n - 1)) {
                assertThat(types(s).subList(0, 2)).containsExactly("connected", "stats");
                assertThat(eventIds(s)).containsExactly(1L, 2L, 3L, 4L, 5L);
                assertThat(s.closeCode).isZero();
            }
            while (slow.closeCode == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(slow.closeCode).isEqualTo(1013);
            assertThat(channel().connectionCount()).isEqualTo(n - 1);
            if (Runtime.getRuntime().availableProcessors() > 1) {
                Set<String> threads = new java.util.HashSet<>();
                sinks.forEach(s -> threads.addAll(s.sendingThreads));
                assertThat(threads).anyMatch(t -> t.startsWith("notify-ws-writer-")).contains(Thread.currentThread().getName());
            }
        }

        @Test
        void aWriterThatIsHeldUpDelaysOnlyItsOwnChunkOfALargeFanOut() throws Exception {
            int n = LiveFanOut.PARALLEL_FAN_OUT * 4;
            java.util.concurrent.CountDownLatch letWritersGo = new java.util.concurrent.CountDownLatch(1);
            Runnable holdWriters = () -> {
                if (Thread.currentThread().getName().startsWith("notify-ws-writer-")) {
                    try {
                        letWritersGo.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            List<FakeSink> sinks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                FakeSink s = new FakeSink();
                open(s, new Identity("user-" + i, Set.of("news")), Set.of("news"), OptionalLong.empty());
                s.beforeSend = holdWriters;
                sinks.add(s);
            }

            try {
                publish(append(Audience.topic("news"), "e1"));

                // every writer is stuck in its first send; whatever the fan-out queued beyond the writers' first
                // chunks was sent by the delivering thread before deliver returned
                long sentAlready = sinks.stream().filter(s -> eventIds(s).equals(List.of(1L))).count();
                int writersAtMost = Math.min(Runtime.getRuntime().availableProcessors() - 1, n / LiveFanOut.PARALLEL_FAN_OUT);
                assertThat(sentAlready).isGreaterThanOrEqualTo(n - (long) writersAtMost * LiveFanOut.CHUNK);
            } finally {
                letWritersGo.countDown();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            for (FakeSink s : sinks) {
                while (eventIds(s).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(types(s)).containsExactly("connected", "stats", "task.progress");
                assertThat(eventIds(s)).containsExactly(1L);
            }
        }

        @Test
        void aSmallFanOutIsSentByTheDeliveringThreadBeforeDeliverReturns() {
            FakeSink sink = new FakeSink();
            open(sink, u1, Set.of("news"), OptionalLong.empty());
            publish(append(Audience.topic("news"), "now"));
            assertThat(eventIds(sink)).containsExactly(1L);
            assertThat(sink.sendingThreads).containsExactly(Thread.currentThread().getName());
        }

        @Test
        void shuttingDownClosesWith1001AndTheReason() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            hub.signalAll(new HubSignal.ShuttingDown("server shutting down"));
            assertThat(sink.closeCode).isEqualTo(1001);
            assertThat(sink.closeReason).isEqualTo("server shutting down");
            assertThat(c.isClosed()).isTrue();
        }

        @Test
        void closingTheChannelClosesEveryConnectionWith1001() {
            FakeSink sink = new FakeSink();
            open(sink, u1, Set.of(), OptionalLong.empty());
            channel().close();
            assertThat(sink.closeCode).isEqualTo(1001);
        }

        @Test
        void aSilentConnectionIsPingedAndClosedWhenThePongDoesNotCome() {
            config.put("ping-interval", "30s");
            config.put("pong-timeout", "10s");
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            long t0 = clock.millis();
            c.checkAlive(t0 + 29_000);
            assertThat(sink.pings).isZero();
            c.checkAlive(t0 + 30_000);
            assertThat(sink.pings).isEqualTo(1);
            c.heard(); // the pong
            c.checkAlive(t0 + 45_000);
            assertThat(sink.closeCode).isZero();
            
            c.checkAlive(t0 + 30_000 + 30_000);
            assertThat(sink.pings).isEqualTo(2);
            c.checkAlive(t0 + 30_000 + 30_000 + 10_000);
            assertThat(sink.closeCode).isEqualTo(1001);
            assertThat(sink.closeReason).contains("no pong");
        }

        @Test
        void aClosedConnectionRemembersWhereItsClientWas() {
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            publish(append(Audience.user("u1"), "1"));
            c.onText("{\"type\":\"ack\",\"id\":1}");
            c.onClosed();
            assertThat(channel().ledger().take(c.clientId(), "u1", clock.millis())).hasValueSatisfying(p -> assertThat(p.ackedThrough()).isEqualTo(1));
        }

        @Test
        void theLedgerForgetsExpiredPositions() {
            config.put("resume-ttl", "1m");
            FakeSink sink = new FakeSink();
            WsConnection c = open(sink, u1, Set.of(), OptionalLong.empty());
            c.onClosed();
            assertThat(channel().ledger().take(c.clientId(), "u1", clock.millis() + 61_000)).isEmpty();
        }
    }

    @Test
    void statsChangesAreSent() {
        FakeSink sink = new FakeSink();
        open(sink, u1, Set.of(), OptionalLong.empty());
        hub.signal("u1", new HubSignal.StatsChanged(new InboxStats(1, 0, 1)));
        assertThat(last(sink)).containsEntry("type", "stats");
    }
}
