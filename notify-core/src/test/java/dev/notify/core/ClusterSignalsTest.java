package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignal;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.core.memory.InMemoryNotificationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two engines on one store, joined by a bus in this JVM: what one node changes wakes the other at
 * once. Both poll only every 30 s here, so anything seen within seconds came through the signal.
 */
class ClusterSignalsTest {

    private final InMemoryNotificationStore store = new InMemoryNotificationStore();
    private final Bus bus = new Bus();
    private final List<NotificationService> services = new ArrayList<>();

    @AfterEach
    void close() {
        services.forEach(NotificationService::close);
        store.close();
    }

    @Test
    void aNotificationPublishedOnAReachesALiveSubscriberOnBWithoutWaitingForAPoll() throws Exception {
        NotificationService a = node("a");
        NotificationService b = node("b");
        List<Long> seen = new CopyOnWriteArrayList<>();
        CountDownLatch got = new CountDownLatch(1);
        b.hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of()), recording(seen, got, new ArrayList<>()));

        a.notify(Notification.builder().recipient("u1").title("hi").build());

        assertThat(got.await(5, TimeUnit.SECONDS)).as("received on B well before its 30 s poll").isTrue();
        assertThat(seen).hasSize(1);
    }

    @Test
    void readsOnAAndPublishesOnAPushNewCountsToTheUsersConnectionsOnB() throws Exception {
        NotificationService a = node("a");
        NotificationService b = node("b");
        List<HubSignal> signals = new CopyOnWriteArrayList<>();
        CountDownLatch event = new CountDownLatch(1);
        b.hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of()), recording(new ArrayList<>(), event, signals));
        String id = a.notify(Notification.builder().recipient("u1").title("hi").build());
        assertThat(event.await(5, TimeUnit.SECONDS)).isTrue();
        awaitCondition(() -> unread(signals) == 1);

        a.inbox().mark("u1", List.of(id), true);

        awaitCondition(() -> unread(signals) == 0);
        assertThat(a.inbox().stats("u1").read()).isEqualTo(1);
    }

    @Test
    void aBurstOfPublishesCoalescesIntoFewMessages() throws Exception {
        NotificationService a = node("a");
        NotificationService b = node("b");
        List<Long> seen = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(50);
        b.hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of()), recording(seen, all, new ArrayList<>()));
        bus.hold = new CountDownLatch(1);

        for (int i = 0; i < 50; i++) {
            a.notify(Notification.builder().recipient("u1").title("n" + i).build());
        }
        bus.hold.countDown();

        assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).hasSize(50).isSorted();
        ClusterSignal lastAppend = new ClusterSignal.LogAppended(seen.get(49), List.of(Audience.user("u1")));
        awaitCondition(() -> bus.sent.stream().anyMatch(m -> m.signals().contains(lastAppend)));
        // the first message was in flight while the other 49 publishes piled up behind it
        assertThat(bus.sent).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void aReplayedDeadLetterIsAnnouncedAsDueSoThatAnIdleNodeMayTakeIt() throws Exception {
        RecordingPushChannel push = new RecordingPushChannel("push");
        push.behaviour = d -> DeliveryResult.failed("gone");
        NotificationService a = node("a", push);
        String id = a.notify(Notification.builder().recipient("u1").title("hi").build());
        awaitCondition(() -> a.deadLetters(java.util.Optional.empty(), 10).items().size() == 1);

        a.replay(a.delivery(id, "push").orElseThrow().id());

        awaitCondition(() -> bus.sent.stream().anyMatch(m -> m.signals().contains(new ClusterSignal.DeliveryDue())));
    }

    @Test
    void theEngineHearsOfTheFirstAndLastConnectionOfAUserAndOfATopicOnly() {
        NotificationService a = node("a");
        var c1 = a.hub().subscribe(new SubscriptionRequest("live", "c1", "u1", Set.of("task:1")), quiet());
        var c2 = a.hub().subscribe(new SubscriptionRequest("live", "c2", "u1", Set.of("task:1", "org:*")), quiet());
        c2.updateTopics(Set.of("task:1", "task:2"));
        c1.close();
        c2.close();

        assertThat(bus.interest).hasSize(8);
        assertThat(bus.interest.subList(0, 5)).containsExactly("a +u1", "a +task:1", "a +org:*", "a +task:2", "a -org:*");
        assertThat(bus.interest.subList(5, 7)).as("the last connection's topics, in its set's order").containsExactlyInAnyOrder("a -task:1", "a -task:2");
        assertThat(bus.interest.get(7)).isEqualTo("a -u1");
    }

    private static Subscriber quiet() {
        return recording(new ArrayList<>(), new CountDownLatch(1), new ArrayList<>());
    }

    @Test
    void preferencesSavedOnAApplyOnBAtOnceThoughBTrustsItsCacheForAnHour() throws Exception {
        NotificationService a = node("a");
        NotificationService b = node("b");
        String first = b.notify(Notification.builder().recipient("u1").title("before").build());
        assertThat(b.deliveries(first)).noneMatch(d -> d.status() == dev.notify.api.DeliveryStatus.CANCELLED);

        a.preferences().set("u1", new dev.notify.api.Preferences(true, List.of(), java.util.Optional.empty()));
        awaitCondition(() -> muted(b)); // within seconds, not the hour B trusts its cache: through the hint

        assertThat(bus.sent).anySatisfy(m -> assertThat(m.signals()).contains(new dev.notify.api.spi.ClusterSignal.SettingChanged("preferences", "u1")));
    }

    // publishes on the node and tells whether the user's preferences muted it (its live event recorded as suppressed)
    private static boolean muted(NotificationService node) {
        String id = node.notify(Notification.builder().recipient("u1").title("now").build());
        return node.deliveries(id).stream().anyMatch(d -> d.lastError().filter(e -> e.contains("muted")).isPresent());
    }

    @Test
    void aChannelsSettingChangedOnAReachesTheSameChannelOnBAndALossTellsItToForgetEverything() throws Exception {
        List<String> heardOnB = new CopyOnWriteArrayList<>();
        dev.notify.api.spi.ChannelContext[] onA = new dev.notify.api.spi.ChannelContext[1];
        node("a", settings("hooks", c -> onA[0] = c));
        NotificationService b = node("b", settings("hooks", c -> c.onSettingChanged(heardOnB::add)));

        onA[0].settingChanged("endpoint-7");
        awaitCondition(() -> heardOnB.contains("endpoint-7"));
        bus.nodes.get(1).resync("test: signals lost");
        awaitCondition(() -> heardOnB.contains("*"));

        assertThat(heardOnB).containsExactly("endpoint-7", "*");
        assertThat(b.channelNames()).contains("hooks");
    }

    private static dev.notify.api.spi.ChannelProvider settings(String name, java.util.function.Consumer<dev.notify.api.spi.ChannelContext> onCreate) {
        return new dev.notify.api.spi.ChannelProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Channel create(dev.notify.api.spi.ChannelContext context) {
                onCreate.accept(context);
                return new RecordingPushChannel(name);
            }
        };
    }

    @Test
    void aNodeConnectedToOthersOnADurableStoreKeepsAShortDeferralInMemoryWithoutWritingItBack() throws Exception {
        RecordingStore durable = new RecordingStore(java.time.Clock.systemUTC());
        RecordingPushChannel push = deferringOnce();
        NotificationService a = onStore(durable, bus, push);

        a.notify(Notification.builder().recipient("u1").title("hi").build());

        awaitCondition(() -> push.deliveries.size() == 2);
        assertThat(durable.released).as("held in memory: no hand-back written").isEmpty();
    }

    @Test
    void aNodeAloneOnADurableStoreHandsAShortDeferralBackToTheStore() throws Exception {
        RecordingStore durable = new RecordingStore(java.time.Clock.systemUTC());
        RecordingPushChannel push = deferringOnce();
        NotificationService alone = onStore(durable, null, push);

        alone.notify(Notification.builder().recipient("u1").title("hi").build());

        awaitCondition(() -> push.deliveries.size() == 2);
        assertThat(durable.released).as("the store path: one hand-back with its due time").hasSize(1);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static RecordingPushChannel deferringOnce() {
        RecordingPushChannel push = new RecordingPushChannel("push");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        push.behaviour = d -> calls.getAndIncrement() == 0 ? DeliveryResult.deferred("busy", Duration.ofMillis(200)) : DeliveryResult.sent();
        return push;
    }

    // a node on its own store; with no signal engine it is alone (in-process signals)
    private NotificationService onStore(NotificationStore s, ClusterSignalProvider signals, Channel channel) {
        NotificationService.Builder b = NotificationService.builder()
                .config(ServiceConfig.builder().nodeId("d").pollInterval(Duration.ofMillis(100)).build())
                .store(s).channel(channel);
        if (signals != null) {
            b.clusterSignals(signals);
        }
        NotificationService service = b.build();
        services.add(service);
        return service;
    }


    private NotificationService node(String id, Object... more) {
        NotificationService[] holder = new NotificationService[1];
        // preferences cached for an hour: a change another node made shows only through its hint
        NotificationService.Builder b = NotificationService.builder()
                .config(ServiceConfig.builder().nodeId(id).pollInterval(Duration.ofSeconds(30))
                        .streamPollInterval(Duration.ofSeconds(30))
                        .config(dev.notify.api.spi.Config.of(java.util.Map.of("preferences.cache-ttl", "1h"))).build())
                .store(store).clusterSignals(bus).channel(live(holder));
        for (Object c : more) {
            if (c instanceof Channel ch) {
                b.channel(ch);
            } else {
                b.channel((dev.notify.api.spi.ChannelProvider) c);
            }
        }
        NotificationService s = b.build();
        holder[0] = s;
        services.add(s);
        return s;
    }

    private static long unread(List<HubSignal> signals) {
        for (int i = signals.size() - 1; i >= 0; i--) {
            if (signals.get(i) instanceof HubSignal.StatsChanged s) {
                return s.stats().unread();
            }
        }
        return -1;
    }

    private static void awaitCondition(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.sleep(5); // polling a condition another thread makes true; no latch to wait on
        }
    }

    private static Channel live(NotificationService[] holder) {
        return new Channel() {
            @Override
            public String name() {
                return "live";
            }

            @Override
            public ChannelKind kind() {
                return ChannelKind.STREAM;
            }

            @Override
            public DeliveryResult deliver(Delivery d) {
                for (EventLogEntry e : d.events()) {
                    holder[0].hub().fanOut("live", e);
                }
                return DeliveryResult.sent();
            }
        };
    }

    private static Subscriber recording(List<Long> seen, CountDownLatch latch, List<HubSignal> signals) {
        return new Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
                seen.add(entry.sequence());
                latch.countDown();
            }

            @Override
            public void onSignal(HubSignal signal) {
                signals.add(signal);
            }
        };
    }

    /** A broadcast bus between the engines of this JVM, recording what it carries. */
    private static final class Bus implements ClusterSignalProvider {
        final List<ClusterContext> nodes = new CopyOnWriteArrayList<>();
        final List<ClusterMessage> sent = new CopyOnWriteArrayList<>();
        final List<String> interest = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold;

        @Override
        public String name() {
            return "test-bus";
        }

        @Override
        public ClusterSignals create(ClusterContext context) {
            nodes.add(context);
            return new ClusterSignals() {
                @Override
                public void send(ClusterMessage message) {
                    CountDownLatch h = hold;
                    if (h != null) {
                        try {
                            h.await(5, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    // through the wire form, as a real engine carries it
                    ClusterMessage m = ClusterMessage.parse(message.toWire());
                    sent.add(m);
                    for (ClusterContext n : nodes) {
                        n.received(m);
                    }
                }

                @Override
                public void interest(Audience a) {
                    interest.add(context.nodeId() + " +" + name(a));
                }

                @Override
                public void noInterest(Audience a) {
                    interest.add(context.nodeId() + " -" + name(a));
                }

                private String name(Audience a) {
                    return a instanceof Audience.User u ? u.userId() : ((Audience.Topic) a).topic();
                }

                @Override
                public boolean connected() {
                    return true;
                }

                @Override
                public String describe() {
                    return "test bus";
                }

                @Override
                public void close() {
                    nodes.remove(context);
                }
            };
        }
    }
}
