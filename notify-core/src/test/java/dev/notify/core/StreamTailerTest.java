package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream tailer on its own: a recording store, a fake clock, stream channels that record or throw. */
class StreamTailerTest {

    private final MutableClock clock = new MutableClock();
    private final RecordingStore store = new RecordingStore(clock);
    private final ScheduledExecutorService timers = Shutdown.newTimers();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ChannelRegistry registry = new ChannelRegistry(Config.empty(), 1, ServiceConfig.DEFAULT_MAX_IN_FLIGHT, meters, new MicrometerMetrics(meters));
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final CountDownLatch threeFailures = new CountDownLatch(3);
    private final Cancellations cancellations = new Cancellations();
    // held entries are released only when a test calls releaseDue: the periodic check comes once an hour;
    // the log is looked at only when a test wakes the tailer (so it never reads an entry between its store and its note)
    private final StreamTailer tailer = new StreamTailer(store, clock, registry, new DeliveryListeners(List.of(new DeliveryListener() {
        @Override
        public void onFailed(DeliveryRecord d, String reason) {
            failures.add(d.channel() + ": " + reason);
            threeFailures.countDown();
        }
    })), cancellations, timers, Duration.ofHours(1), Duration.ofHours(1));

    /** A stream channel that records the titles it is handed. */
    private static final class Recording implements Channel {
        final List<String> titles = new CopyOnWriteArrayList<>();
        volatile CountDownLatch latch = new CountDownLatch(0);

        @Override
        public String name() {
            return "rec";
        }

        @Override
        public ChannelKind kind() {
            return ChannelKind.STREAM;
        }

        @Override
        public DeliveryResult deliver(Delivery d) {
            titles.add(d.notification().title());
            latch.countDown();
            return DeliveryResult.sent();
        }
    }

    private final Recording rec = new Recording();

    @AfterEach
    void stop() {
        tailer.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), new ArrayList<>());
        timers.shutdownNow();
        store.close();
    }

    private String append(String title, Optional<Instant> scheduledAt) {
        Notification.Builder b = Notification.builder().topic("task:abc123").title(title);
        scheduledAt.ifPresent(b::scheduledAt);
        Notification n = b.build().withCreatedAt(clock.instant());
        store.save(new PublishRequest(n, "default", List.of(Audience.topic("task:abc123")), List.of(), Optional.empty()));
        tailer.wake();
        return n.id();
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(20, TimeUnit.SECONDS)).as("timed out waiting").isTrue();
    }

    @Test
    void aStreamChannelThatOverflowsTheStackFailsItsPushesButNeitherTheTailerNorTheOtherChannel() throws Exception {
        registry.register(new Channel() {
            @Override
            public String name() {
                return "boom";
            }

            @Override
            public ChannelKind kind() {
                return ChannelKind.STREAM;
            }

            @Override
            public DeliveryResult deliver(Delivery d) {
                return deliver(d);
            }
        }, "test");
        registry.register(rec, "test");
        tailer.start();
        rec.latch = new CountDownLatch(3);
        append("one", Optional.empty());
        append("two", Optional.empty());
        append("three", Optional.empty());
        await(rec.latch);
        await(threeFailures);

        assertThat(rec.titles).containsExactly("one", "two", "three");
        assertThat(failures).hasSize(3).containsOnly("boom: channel boom threw java.lang.StackOverflowError");
    }

    @Test
    void aNotificationScheduledForLaterIsHeldUntilItIsDueAndThenPushed() throws Exception {
        registry.register(rec, "test");
        tailer.start();
        rec.latch = new CountDownLatch(1);
        append("later", Optional.of(clock.instant().plusSeconds(10)));
        append("now", Optional.empty());
        await(rec.latch);
        assertThat(rec.titles).as("the scheduled one was read first and held").containsExactly("now");

        clock.advance(Duration.ofSeconds(9));
        tailer.releaseDue();
        assertThat(rec.titles).containsExactly("now");
        clock.advance(Duration.ofSeconds(1));
        tailer.releaseDue();
        assertThat(rec.titles).containsExactly("now", "later");
    }

    @Test
    void aCancelledNotificationHeldForLaterIsNeverPushed() throws Exception {
        registry.register(rec, "test");
        tailer.start();
        rec.latch = new CountDownLatch(1);
        String later = append("later", Optional.of(clock.instant().plusSeconds(10)));
        append("now", Optional.empty());
        await(rec.latch);

        assertThat(tailer.cancelHeld(later)).isTrue();
        clock.advance(Duration.ofSeconds(10));
        tailer.releaseDue();
        assertThat(rec.titles).containsExactly("now");
    }

    private PublishResult store(String title) {
        Notification n = Notification.builder().topic("task:abc123").title(title).build().withCreatedAt(clock.instant());
        return store.save(new PublishRequest(n, "default", List.of(Audience.topic("task:abc123")), List.of(), Optional.empty()));
    }

    @Test
    void theNodesOwnAppendsArePushedWithoutReadingThemBackFromTheStore() throws Exception {
        registry.register(rec, "test");
        tailer.keepLocalAppends();
        tailer.start();
        rec.latch = new CountDownLatch(3);
        tailer.appendedHere(List.of(store("one"), store("two")));
        tailer.wake();
        tailer.appendedHere(List.of(store("three")));
        tailer.wake();
        await(rec.latch);

        assertThat(rec.titles).containsExactly("one", "two", "three");
        assertThat(store.logReads).as("reads of the event log").hasValue(0);
    }

    @Test
    void anAppendThisNodeDidNotMakeIsReadFromTheStoreInSequenceOrderAmongItsOwn() throws Exception {
        registry.register(rec, "test");
        tailer.keepLocalAppends();
        tailer.start();
        rec.latch = new CountDownLatch(3);
        PublishResult one = store("one");
        store("another node's"); // not noted: only the store has it
        PublishResult three = store("three");
        tailer.appendedHere(List.of(three));
        tailer.appendedHere(List.of(one));
        tailer.wake();
        await(rec.latch);

        assertThat(rec.titles).containsExactly("one", "another node's", "three");
        assertThat(store.logReads.get()).as("reads of the event log").isPositive();

        rec.latch = new CountDownLatch(1);
        tailer.appendedHere(List.of(store("four")));
        tailer.wake();
        await(rec.latch);
        assertThat(rec.titles).containsExactly("one", "another node's", "three", "four");
    }

    @Test
    void withoutLocalAppendsEveryEntryIsReadFromTheStore() throws Exception {
        registry.register(rec, "test");
        tailer.start();
        rec.latch = new CountDownLatch(1);
        tailer.appendedHere(List.of(store("one")));
        tailer.wake();
        await(rec.latch);

        assertThat(rec.titles).containsExactly("one");
        assertThat(store.logReads.get()).isPositive();
    }
}
