package dev.notify.channel.sse.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.testkit.InMemoryEventLog;
import dev.notify.testkit.InMemoryInbox;
import dev.notify.testkit.InMemorySubscriberHub;
import dev.notify.testkit.SimpleJsonCodec;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class SseConnectionTest {

    private final InMemorySubscriberHub hub = new InMemorySubscriberHub(5);
    private final InMemoryEventLog log = new InMemoryEventLog();
    private final InMemoryInbox inbox = new InMemoryInbox();
    private final AtomicLong seq = new AtomicLong();
    private final Map<String, String> config = new HashMap<>(Map.of("heartbeat-interval", "1h"));
    private TestChannelContext context;
    private SseChannel channel;

    private SseChannel channel() {
        if (channel == null) {
            context = TestChannelContext.builder("sse").config(config).json(new SimpleJsonCodec()).hub(hub).eventLog(log).inbox(inbox).build();
            channel = new SseChannel(context, SseSettings.from(context.config()), List.of());
        }
        return channel;
    }

    @AfterEach
    void closeAll() {
        if (channel != null) {
            channel.close();
            context.close();
        }
    }

    /** A sink standing in for a servlet response: writes land in memory while "ready". */
    static final class FakeSink implements SseConnection.Sink {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        SseConnection connection;
        volatile boolean ready = true;
        volatile boolean completed;
        // true: a write lands in a buffer that a flush sends (Servlet 6.0); false: it goes out as it is
        volatile boolean buffers = true;
        int flushes;
        int readyChecks;
        int writes;

        @Override
        public synchronized boolean isReady() {
            readyChecks++;
            return ready && !completed;
        }

        @Override
        public synchronized boolean write(byte[] frame) {
            written.writeBytes(frame);
            writes++;
            return buffers;
        }

        @Override
        public synchronized void flush() {
            flushes++;
        }

        @Override
        public void complete() {
            completed = true;
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        void becomeReady() {
            ready = true;
            connection.onWritePossible();
        }

        synchronized List<SseParser.Frame> frames() {
            return SseParser.parse(written.toString(StandardCharsets.UTF_8));
        }

        List<SseParser.Frame> events() {
            List<SseParser.Frame> out = new ArrayList<>();
            for (SseParser.Frame f : frames()) {
                if (f.isEvent()) {
                    out.add(f);
                }
            }
            return out;
        }

        List<String> ids(String event) {
            List<String> out = new ArrayList<>();
            for (SseParser.Frame f : events()) {
                if (event.equals(f.event())) {
                    out.add(f.id());
                }
            }
            return out;
        }
    }

    /** Opens a connection the way the servlet does: subscribe, read the log head, start. */
    private FakeSink open(String user, Set<String> topics, OptionalLong resume, boolean ready) {
        SseConnection c = channel().newConnection(user, topics);
        c.attach(hub.subscribe(new SubscriptionRequest("sse", c.clientId(), user, topics), c));
        FakeSink sink = new FakeSink();
        sink.connection = c;
        sink.ready = ready;
        long head = log.latestSequence();
        c.start(sink, inbox.stats(user), inbox.recentUnread(user, 10), resume, head);
        if (ready) {
            c.onWritePossible();
        }
        return sink;
    }

    private EventLogEntry publish(String user, String event) {
        Notification n = Notification.builder().recipient(user).event(event).title("t" + seq.get()).build();
        return publish(new EventLogEntry(seq.incrementAndGet(), Audience.user(user), n));
    }

    private EventLogEntry publish(EventLogEntry e) {
        log.append(e);
        channel().deliver(new Delivery(e.notification().id() + ":sse", e.notification(), "sse", Delivery.STREAM_TARGET, 1, List.of(e)));
        return e;
    }

    @Nested
    @DisplayName("on connect")
    class OnConnect {

        @Test
        void sendsRetryThenConnectedStatsAndRecentInThatOrder() {
            inbox.add("u1", Notification.builder().recipient("u1").title("seen").build(), true)
                    .add("u1", Notification.builder().recipient("u1").title("earlier").build())
                    .add("u1", Notification.builder().recipient("u1").title("hello").build());
            publish("u1", "task.started");
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);

            List<SseParser.Frame> frames = sink.frames();
            assertThat(frames.get(0).retry()).isEqualTo(3000);
            assertThat(frames.subList(1, frames.size())).extracting(SseParser.Frame::event).containsExactly("connected", "stats", "recent");
            assertThat(frames.get(1).data()).contains("\"userId\":\"u1\"").contains("\"clientId\":\"sse-");
            assertThat(frames.get(1).id()).as("the connected event sets the resume point to the log head").isEqualTo("1");
            assertThat(frames.get(2).data()).isEqualTo("{\"total\":3,\"unread\":2,\"read\":1}");
            assertThat(frames.get(3).data()).startsWith("{\"notifications\":[{").contains("\"title\":\"hello\"").contains("\"read\":false");
            assertThat(sink.flushes).isPositive();
        }

        @Test
        void holdsEventsPublishedBeforeTheStreamStartedAndSendsThemAfterTheGreeting() {
            SseConnection c = channel().newConnection("u1", Set.of());
            c.attach(hub.subscribe(new SubscriptionRequest("sse", c.clientId(), "u1", Set.of()), c));
            publish("u1", "task.queued");
            FakeSink sink = new FakeSink();
            sink.connection = c;
            c.start(sink, InboxStats.EMPTY, List.of(), OptionalLong.empty(), 0);
            c.onWritePossible();
            assertThat(sink.events()).extracting(SseParser.Frame::event).containsExactly("connected", "stats", "recent", "task.queued");
        }

        @Test
        void writesNothingUntilTheContainerSaysTheSocketIsWritable() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), false);
            assertThat(sink.written.size()).isZero();
            sink.becomeReady();
            assertThat(sink.events()).hasSize(3);
        }
    }

    @Nested
    @DisplayName("live")
    class Live {

        @Test
        void sendsEachEventWithItsSequenceAsIdAndItsEventName() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            EventLogEntry e = publish("u1", "task.progress");
            SseParser.Frame f = sink.events().get(3);
            assertThat(f.id()).isEqualTo(Long.toString(e.sequence()));
            assertThat(f.event()).isEqualTo("task.progress");
            assertThat(f.data()).contains("\"id\":\"" + e.notification().id() + "\"").contains("\"event\":\"task.progress\"")
                    .contains("\"sequence\":" + e.sequence()).contains("\"priority\":\"normal\"").contains("\"createdAt\":");
        }

        @Test
        void namesEventsWithoutAnEventNotification() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            publish("u1", Notification.DEFAULT_EVENT);
            assertThat(sink.ids("notification")).hasSize(1);
        }

        @Test
        void doesNotSeeOtherUsersEvents() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            publish("u2", "secret");
            assertThat(sink.events()).extracting(SseParser.Frame::event).doesNotContain("secret");
        }

        @Test
        void receivesTopicEventsOfItsTopicsOnly() {
            FakeSink sink = open("u1", Set.of("task:abc*"), OptionalLong.empty(), true);
            Notification mine = Notification.builder().topic("task:abc123").event("task.progress").build();
            Notification other = Notification.builder().topic("task:zzz").event("task.other").build();
            publish(new EventLogEntry(seq.incrementAndGet(), Audience.topic("task:abc123"), mine));
            publish(new EventLogEntry(seq.incrementAndGet(), Audience.topic("task:zzz"), other));
            assertThat(sink.events()).extracting(SseParser.Frame::event).contains("task.progress").doesNotContain("task.other");
            assertThat(sink.events().get(3).data()).contains("\"task_id\":\"abc123\"").contains("\"topic\":\"task:abc123\"");
        }

        @Test
        @DisplayName("a notification reaching it as user and as topic entry is sent once, and the id still moves on")
        void sendsANotificationOnceWhenItArrivesTwice() {
            FakeSink sink = open("u1", Set.of("task:abc123"), OptionalLong.empty(), true);
            Notification n = Notification.builder().recipient("u1").topic("task:abc123").event("task.done").build();
            EventLogEntry a = new EventLogEntry(seq.incrementAndGet(), Audience.user("u1"), n);
            EventLogEntry b = new EventLogEntry(seq.incrementAndGet(), Audience.topic("task:abc123"), n);
            log.append(a);
            log.append(b);
            channel().deliver(new Delivery("k", n, "sse", "*", 1, List.of(a, b)));
            assertThat(sink.ids("task.done")).containsExactly(Long.toString(a.sequence()));
            List<SseParser.Frame> frames = sink.frames();
            assertThat(frames.get(frames.size() - 1).id()).isEqualTo(Long.toString(b.sequence()));
            assertThat(frames.get(frames.size() - 1).isEvent()).isFalse();
        }

        @Test
        void sendsStatsWhenTheUsersCountsChange() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            hub.signal("u1", new HubSignal.StatsChanged(new InboxStats(5, 0, 5)));
            assertThat(sink.events()).last().satisfies(f -> {
                assertThat(f.event()).isEqualTo("stats");
                assertThat(f.data()).isEqualTo("{\"total\":5,\"unread\":0,\"read\":5}");
            });
        }

        @Test
        @DisplayName("a broadcast to many streams reaches every one, in order, written from several threads")
        void aLargeBroadcastReachesEveryStreamInOrder() throws Exception {
            List<FakeSink> sinks = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                sinks.add(open("user" + i, Set.of("news"), OptionalLong.empty(), true));
            }
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                EventLogEntry e = publish(new EventLogEntry(seq.incrementAndGet(), Audience.topic("news"),
                        Notification.builder().topic("news").event("news.flash").build()));
                ids.add(Long.toString(e.sequence()));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            for (FakeSink sink : sinks) {
                while (sink.ids("news.flash").size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(sink.ids("news.flash")).isEqualTo(ids);
            }
        }

        @Test
        void encodesABroadcastOnceForAllItsStreams() {
            FakeSink one = open("u1", Set.of("news"), OptionalLong.empty(), true);
            FakeSink two = open("u2", Set.of("news"), OptionalLong.empty(), true);
            publish(new EventLogEntry(seq.incrementAndGet(), Audience.topic("news"), Notification.builder().topic("news").build()));
            assertThat(one.events().get(3)).isEqualTo(two.events().get(3));
        }
    }

    @Nested
    @DisplayName("heartbeats and shutdown")
    class HeartbeatAndShutdown {

        @Test
        void heartbeatIsACommentSentOnlyWhenNothingWaits() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            SseConnection c = sink.connection;
            c.heartbeat();
            assertThat(sink.frames()).last().satisfies(f -> assertThat(f.comment()).isEqualTo("heartbeat"));

            sink.ready = false;
            publish("u1", "pending");
            int before = sink.written.size();
            c.heartbeat();
            assertThat(c.queuedFrames()).isEqualTo(1);
            assertThat(sink.written.size()).isEqualTo(before);
        }

        @Test
        void scheduledHeartbeatsReachEveryStream() throws Exception {
            config.put("heartbeat-interval", "20ms");
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sink.frames().stream().noneMatch(f -> "heartbeat".equals(f.comment())) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(sink.frames()).anyMatch(f -> "heartbeat".equals(f.comment()));
        }

        @Test
        void shuttingDownWritesAFinalCommentAndCompletes() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            hub.signalAll(new HubSignal.ShuttingDown("server shutting down"));
            assertThat(sink.frames()).last().satisfies(f -> assertThat(f.comment()).isEqualTo("server shutting down"));
            assertThat(sink.completed).isTrue();
            assertThat(sink.connection.isClosed()).isTrue();
            assertThat(hub.subscriptions()).isEmpty();
            assertThat(channel().connectionCount()).isZero();
        }

        @Test
        void closingTheChannelSaysGoodbyeToo() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            channel().close();
            assertThat(sink.frames()).last().satisfies(f -> assertThat(f.comment()).isEqualTo("server shutting down"));
            assertThat(sink.completed).isTrue();
        }
    }

    @Nested
    @DisplayName("slow readers")
    class SlowReaders {

        @Test
        void aReaderTooFarBehindIsDisconnectedAndUnsubscribed() {
            config.put("max-buffered-events", "4");
            FakeSink slow = open("u1", Set.of("news"), OptionalLong.empty(), true);
            FakeSink fast = open("u2", Set.of("news"), OptionalLong.empty(), true);
            slow.ready = false;
            for (int i = 0; i < 6; i++) {
                publish(new EventLogEntry(seq.incrementAndGet(), Audience.topic("news"), Notification.builder().topic("news").build()));
            }
            assertThat(slow.completed).isTrue();
            assertThat(slow.connection.isClosed()).isTrue();
            assertThat(slow.connection.queuedFrames()).isZero();
            assertThat(hub.connectionCount("u1")).isZero();
            assertThat(fast.events()).hasSize(3 + 6);
            assertThat(context.recordedMetrics().counter("notify.sse.slow.disconnects")).isEqualTo(1);
        }

        @Test
        void theByteLimitCountsToo() {
            config.put("max-buffered-bytes", "1000");
            FakeSink slow = open("u1", Set.of(), OptionalLong.empty(), true);
            slow.ready = false;
            for (int i = 0; i < 20 && !slow.completed; i++) {
                publish("u1", "chunk");
            }
            assertThat(slow.completed).isTrue();
        }

        @Test
        void oneLargeFrameAloneDoesNotDisconnect() {
            config.put("max-buffered-bytes", "100");
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            sink.ready = false;
            publish("u1", "big");
            assertThat(sink.completed).isFalse();
            sink.becomeReady();
            assertThat(sink.ids("big")).hasSize(1);
        }

        @Test
        void aReaderThatCatchesUpGetsEverythingInOrderAndReleasesItsQueue() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            sink.ready = false;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(Long.toString(publish("u1", "e").sequence()));
            }
            assertThat(sink.connection.queuedFrames()).isEqualTo(5);
            sink.becomeReady();
            assertThat(sink.ids("e")).isEqualTo(ids);
            assertThat(sink.connection.queuedFrames()).isZero();
        }
    }

    @Nested
    @DisplayName("resuming with Last-Event-ID")
    class Resuming {

        @Test
        void replaysExactlyWhatWasMissedInOrderThenGoesLive() {
            publish("u1", "a");
            EventLogEntry seen = publish("u1", "b");
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                missed.add(Long.toString(publish("u1", "missed").sequence()));
            }
            publish("u2", "not-mine");
            FakeSink sink = open("u1", Set.of(), OptionalLong.of(seen.sequence()), true);
            assertThat(sink.ids("missed")).isEqualTo(missed);
            EventLogEntry live = publish("u1", "live");
            assertThat(sink.events()).extracting(SseParser.Frame::event)
                    .containsExactly("connected", "stats", "recent", "missed", "missed", "missed", "live");
            assertThat(sink.ids("live")).containsExactly(Long.toString(live.sequence()));
            assertThat(sink.events().get(0).id()).as("a resumed connection keeps the client's last id").isNull();
        }

        @Test
        void replaysPageByPageAsTheReaderKeepsUp() {
            config.put("replay-page-size", "2");
            for (int i = 0; i < 7; i++) {
                publish("u1", "old");
            }
            FakeSink sink = open("u1", Set.of(), OptionalLong.of(0), false);
            int readsBefore = log.reads();
            assertThat(sink.connection.queuedFrames()).as("greeting plus one page").isEqualTo(4 + 2);
            sink.becomeReady();
            assertThat(sink.ids("old")).hasSize(7);
            assertThat(log.reads() - readsBefore).as("pages of 2, then the empty page that ends the replay").isEqualTo(4);
        }

        @Test
        @DisplayName("events published during the replay come after it, once, with no gap")
        void eventsDuringTheReplayAreNeitherLostNorDuplicated() {
            config.put("replay-page-size", "2");
            for (int i = 0; i < 3; i++) {
                publish("u1", "old");
            }
            // the reader is slow, so the replay stops after the first page and live events pile up meanwhile
            FakeSink sink = open("u1", Set.of(), OptionalLong.of(0), false);
            EventLogEntry during1 = publish("u1", "new");
            EventLogEntry during2 = publish("u1", "new");
            sink.becomeReady();
            EventLogEntry after = publish("u1", "new");
            assertThat(sink.ids("old")).containsExactly("1", "2", "3");
            assertThat(sink.ids("new")).containsExactly(Long.toString(during1.sequence()), Long.toString(during2.sequence()),
                    Long.toString(after.sequence()));
        }

        @Test
        void saysSoWhenTheLogWasPrunedPastTheResumePoint() {
            for (int i = 0; i < 3; i++) {
                publish("u1", "kept");
            }
            log.pruneThrough(2);
            FakeSink sink = open("u1", Set.of(), OptionalLong.of(1), true);
            assertThat(sink.events()).extracting(SseParser.Frame::event).containsSubsequence("recent", "pruned", "kept");
            assertThat(sink.events()).filteredOn(f -> "pruned".equals(f.event())).singleElement()
                    .satisfies(f -> assertThat(f.data()).contains("\"lastEventId\":1"));
        }

        @Test
        void aReplayThatOutrunsTheBufferDropsTheReader() {
            config.put("max-buffered-events", "3");
            publish("u1", "old");
            FakeSink sink = open("u1", Set.of(), OptionalLong.of(0), false);
            for (int i = 0; i < 5; i++) {
                publish("u1", "new");
            }
            assertThat(sink.completed).isTrue();
            assertThat(hub.subscriptions()).isEmpty();
        }
    }

    @Nested
    @DisplayName("writing")
    class Writing {

        @Test
        void aFrameTheSinkSendsAsItIsIsNotFlushedAndCostsOneReadinessCheck() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            sink.buffers = false;
            int flushes = sink.flushes;
            int checks = sink.readyChecks;
            int writes = sink.writes;

            publish("u1", "task.done");

            assertThat(sink.ids("task.done")).hasSize(1);
            assertThat(sink.writes - writes).isEqualTo(1);
            assertThat(sink.flushes - flushes).as("nothing waits in a buffer").isZero();
            assertThat(sink.readyChecks - checks).as("isReady before the write, none after it").isEqualTo(1);
        }

        @Test
        void aBufferedFrameIsFlushedAfterTheWritesThatQueuedWithIt() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            int flushes = sink.flushes;
            int checks = sink.readyChecks;

            publish("u1", "task.done");

            assertThat(sink.ids("task.done")).hasSize(1);
            assertThat(sink.flushes - flushes).isEqualTo(1);
            assertThat(sink.readyChecks - checks).as("before the write and before the flush").isEqualTo(2);
        }

        @Test
        void aWriteTheSocketCouldNotTakeShowsAtTheNextDrainWhichWaitsForWritePossible() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            sink.buffers = false;
            publish("u1", "first");
            // the socket filled up during that write: nothing said so yet
            sink.ready = false;

            publish("u1", "second");
            assertThat(sink.ids("second")).as("held until the container says the socket takes more").isEmpty();

            sink.becomeReady();
            assertThat(sink.ids("first")).hasSize(1);
            assertThat(sink.ids("second")).hasSize(1);
        }

        @Test
        void theGoodbyeEndsTheStreamOnlyOnceTheSocketTookIt() {
            FakeSink sink = open("u1", Set.of(), OptionalLong.empty(), true);
            sink.buffers = false;
            sink.ready = false;

            sink.connection.shutdown("server shutting down");
            assertThat(sink.completed).as("the goodbye still waits").isFalse();

            sink.becomeReady();
            assertThat(sink.completed).isTrue();
            assertThat(sink.written.toString(StandardCharsets.UTF_8)).contains(": server shutting down");
        }
    }
}
