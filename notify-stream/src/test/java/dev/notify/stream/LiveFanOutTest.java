package dev.notify.stream;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.testkit.InMemorySubscriberHub;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class LiveFanOutTest {

    private final InMemorySubscriberHub hub = new InMemorySubscriberHub();
    private final TestChannelContext context = TestChannelContext.builder("demo").hub(hub).build();
    private final AtomicInteger encodings = new AtomicInteger();
    private final Set<String> writingThreads = ConcurrentHashMap.newKeySet();
    private DemoChannel channel;
    private CountDownLatch written = new CountDownLatch(0);

    @AfterEach
    void closeAll() {
        if (channel != null) {
            channel.close();
        }
        context.close();
    }

    /** A stream channel whose frames are the notification's event name; writes land in memory. */
    final class DemoChannel extends StreamChannel<DemoConnection, String> {
        int shutdowns;

        DemoChannel(LiveFanOut.Batching batching) {
            super(context, "demo", batching);
        }

        @Override
        protected String encode(EventLogEntry entry) {
            encodings.incrementAndGet();
            if (entry.notification().event().equals("bad.event")) {
                throw new IllegalStateException("cannot encode this one");
            }
            return entry.notification().event() + "#" + entry.sequence();
        }

        @Override
        protected void shutdown() {
            shutdowns++;
        }

        DemoConnection connect(String user) {
            DemoConnection c = new DemoConnection(this, "demo-" + user, user);
            fanOut().add(c);
            hub.subscribe(new SubscriptionRequest("demo", c.clientId(), user, Set.of("news")), c);
            return c;
        }
    }

    final class DemoConnection extends StreamConnection implements Subscriber {
        private final DemoChannel channel;
        private final FrameQueue<String> queue = FrameQueue.ofText();
        final List<String> frames = new CopyOnWriteArrayList<>();

        DemoConnection(DemoChannel channel, String clientId, String userId) {
            super(clientId, userId);
            this.channel = channel;
        }

        @Override
        public void onEvent(EventLogEntry entry) {
            synchronized (this) {
                String frame = channel.fanOut().frameOf(entry);
                if (frame == null) {
                    return;
                }
                queue.add(frame);
            }
            if (!channel.fanOut().defer(this)) {
                writeQueued();
            }
        }

        @Override
        public void onSignal(HubSignal signal) {
        }

        @Override
        public synchronized void writeQueued() {
            writingThreads.add(Thread.currentThread().getName());
            for (String f = queue.poll(); f != null; f = queue.poll()) {
                frames.add(f);
                written.countDown();
            }
        }
    }

    private DemoChannel channel(LiveFanOut.Batching batching) {
        channel = new DemoChannel(batching);
        return channel;
    }

    private static Delivery broadcast(String... events) {
        List<EventLogEntry> entries = new ArrayList<>();
        Notification first = null;
        long seq = 0;
        for (String event : events) {
            Notification n = Notification.builder().topic("news").event(event).build();
            first = first == null ? n : first;
            entries.add(new EventLogEntry(++seq, Audience.topic("news"), n));
        }
        return new Delivery("k", first, "demo", Delivery.STREAM_TARGET, 1, entries);
    }

    @Test
    void isAStreamChannelNamedAsItsContextSays() {
        DemoChannel c = channel(LiveFanOut.Batching.AFTER_FAN_OUT);
        assertThat(c.name()).isEqualTo("demo");
        assertThat(c.kind()).isEqualTo(ChannelKind.STREAM);
    }

    @ParameterizedTest
    @EnumSource(LiveFanOut.Batching.class)
    void aSmallFanOutIsWrittenByTheDeliveringThreadBeforeDeliverReturns(LiveFanOut.Batching batching) {
        DemoChannel c = channel(batching);
        List<DemoConnection> connections = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            connections.add(c.connect("u" + i));
        }
        assertThat(c.deliver(broadcast("task.started", "task.progress")).isSent()).isTrue();
        for (DemoConnection conn : connections) {
            assertThat(conn.frames).containsExactly("task.started#1", "task.progress#2");
        }
        assertThat(writingThreads).containsExactly(Thread.currentThread().getName());
        assertThat(context.recordedMetrics().counter("notify.stream.fanout", "channel", "demo")).isEqualTo(20);
        assertThat(context.recordedMetrics().gauge("notify.stream.connections", "channel", "demo").intValue()).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(LiveFanOut.Batching.class)
    void aLargeFanOutReachesEveryConnectionInOrderAndEncodesEachEntryOnce(LiveFanOut.Batching batching) throws Exception {
        DemoChannel c = channel(batching);
        int n = LiveFanOut.PARALLEL_FAN_OUT * 2 + 7;
        List<DemoConnection> connections = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            connections.add(c.connect("u" + i));
        }
        written = new CountDownLatch(n * 3);
        c.deliver(broadcast("e1", "e2", "e3"));
        assertThat(written.await(30, TimeUnit.SECONDS)).as("every frame written").isTrue();
        for (DemoConnection conn : connections) {
            assertThat(conn.frames).containsExactly("e1#1", "e2#2", "e3#3");
        }
        assertThat(encodings).as("one encoding per entry, shared by every connection").hasValue(3);
        if (WriterPoolThreads.MORE_THAN_ONE) {
            assertThat(writingThreads).anyMatch(t -> t.startsWith("notify-demo-writer-"));
        }
    }

    @Test
    void anEntryThatCannotBeEncodedIsSkippedAndTheOthersStillGoOut() {
        DemoChannel c = channel(LiveFanOut.Batching.AFTER_FAN_OUT);
        DemoConnection conn = c.connect("u1");
        c.deliver(broadcast("task.started", "bad.event", "task.completed"));
        assertThat(conn.frames).containsExactly("task.started#1", "task.completed#3");
    }

    @Test
    void aConnectionOutsideAFanOutIsNotDeferred() {
        DemoChannel c = channel(LiveFanOut.Batching.DURING_FAN_OUT);
        DemoConnection conn = c.connect("u1");
        assertThat(c.fanOut().defer(conn)).isFalse();
    }

    @Test
    void afterCloseALargeFanOutIsStillWrittenWholeByTheDeliveringThread() {
        for (LiveFanOut.Batching batching : LiveFanOut.Batching.values()) {
            DemoChannel c = channel(batching);
            List<DemoConnection> connections = new ArrayList<>();
            for (int i = 0; i < LiveFanOut.PARALLEL_FAN_OUT * 2; i++) {
                connections.add(c.connect(batching + "-u" + i));
            }
            c.close();
            c.close();
            assertThat(c.isClosed()).isTrue();
            assertThat(c.shutdowns).as("shutdown runs once").isEqualTo(1);
            writingThreads.clear();
            c.deliver(broadcast("late"));
            assertThat(connections).allSatisfy(conn -> assertThat(conn.frames).containsExactly("late#1"));
            assertThat(writingThreads).containsExactly(Thread.currentThread().getName());
            connections.forEach(conn -> c.fanOut().remove(conn));
            new ArrayList<>(hub.subscriptions()).forEach(s -> s.close());
        }
    }

    @Test
    void forEachConnectionGoesOnPastOneThatFails() {
        DemoChannel c = channel(LiveFanOut.Batching.AFTER_FAN_OUT);
        c.connect("u1");
        c.connect("u2");
        c.connect("u3");
        AtomicInteger visited = new AtomicInteger();
        c.fanOut().forEachConnection("check", conn -> {
            visited.incrementAndGet();
            if (conn.userId().equals("u2")) {
                throw new IllegalStateException("boom");
            }
        });
        assertThat(visited).hasValue(3);
        assertThat(c.connectionCount()).isEqualTo(3);
    }

    /** Whether writer threads can take part at all (one core: the delivering thread writes alone). */
    private static final class WriterPoolThreads {
        static final boolean MORE_THAN_ONE = Runtime.getRuntime().availableProcessors() > 1;
    }
}
