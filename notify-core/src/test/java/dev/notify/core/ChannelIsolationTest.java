package dev.notify.core;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Config;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plugin whose {@code deliver} blocks forever stalls only its own deliveries: the whole engine
 * (publisher, one shared worker, recorders, watchdog) around channels that misbehave.
 */
@DisplayName("A plugin channel that blocks forever")
class ChannelIsolationTest {

    private final List<NotificationService> services = new ArrayList<>();
    // what the blocked plugin waits for, uninterruptibly; released after each test so its threads can go
    private final Semaphore never = new Semaphore(0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private NotificationService start(ServiceConfig config, dev.notify.api.spi.Channel... channels) {
        NotificationService.Builder b = NotificationService.builder().config(config).meterRegistry(meters);
        for (dev.notify.api.spi.Channel c : channels) {
            b.channel(c);
        }
        NotificationService s = b.build();
        services.add(s);
        return s;
    }

    @AfterEach
    void closeServices() {
        never.release(1_000);
        services.forEach(s -> s.close(Duration.ofSeconds(5)));
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(20, TimeUnit.SECONDS)).as("timed out waiting").isTrue();
    }

    private static Notification note(String channel, int i) {
        return Notification.builder().recipient("u").title(channel + "-" + i).channel(channel).build();
    }

    @Test
    @DisplayName("never stops another blocking push channel nor an AsyncChannel, on a single worker")
    void neverStopsTheOtherChannels() throws Exception {
        int n = 50;
        RecordingPushChannel blocked = new RecordingPushChannel("blocked");
        CountDownLatch blockedStarted = new CountDownLatch(1);
        blocked.behaviour = d -> {
            blockedStarted.countDown();
            never.acquireUninterruptibly(); // deaf to the interrupt at its deadline, like a plugin stuck in native I/O
            return DeliveryResult.sent();
        };
        RecordingPushChannel healthy = new RecordingPushChannel("healthy");
        CountDownLatch healthySent = new CountDownLatch(n);
        CountDownLatch asyncSent = new CountDownLatch(n);
        RecordingAsyncChannel async = new RecordingAsyncChannel("async");
        // answers later, from another thread, as an HTTP client's I/O thread would
        async.stage = f -> f.thenApplyAsync(r -> r, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
        List<String> timedOut = new CopyOnWriteArrayList<>();
        CountDownLatch firstTimeout = new CountDownLatch(1);
        // a deadline well past what the healthy channels need even on a busy machine: they must not need it
        NotificationService s = start(ServiceConfig.builder().workers(1).deliveryTimeout(Duration.ofSeconds(2))
                .build(), blocked, healthy, async);
        s.addListener(new DeliveryListener() {
            @Override
            public void onSent(DeliveryRecord d) {
                if (d.channel().equals("healthy")) {
                    healthySent.countDown();
                } else if (d.channel().equals("async")) {
                    asyncSent.countDown();
                }
            }

            @Override
            public void onRetrying(DeliveryRecord d, String reason) {
                if (d.channel().equals("blocked")) {
                    timedOut.add(reason);
                    firstTimeout.countDown();
                }
            }
        });
        Thread completer = new Thread(() -> {
            try {
                while (true) {
                    RecordingAsyncChannel.Started attempt = async.started.take();
                    attempt.result().complete(DeliveryResult.sent());
                }
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        completer.start();

        for (int i = 0; i < n; i++) {
            s.notify(note("blocked", i));
            s.notify(note("healthy", i));
            s.notify(note("async", i));
        }
        await(blockedStarted);
        await(healthySent);
        await(asyncSent);
        completer.interrupt();
        assertThat(blocked.deliveries).as("the blocked plugin's attempts, waiting for its one thread").isNotEmpty();

        // the blocked plugin's first attempts time out at their deadline and count as retries
        await(firstTimeout);
        assertThat(timedOut).isNotEmpty().allSatisfy(r -> assertThat(r).isEqualTo("attempt timed out after PT2S"));
        assertThat(meters.get("notify.channel.threads.stuck").tag("channel", "blocked").gauge().value()).isPositive();
        assertThat(healthy.deliveries).hasSize(n);
    }

    @Test
    @DisplayName("is interrupted at its deadline, retried per policy, and its thread goes back to work")
    void isInterruptedAndRetried() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        RecordingPushChannel plugin = new RecordingPushChannel("plugin");
        plugin.behaviour = d -> {
            if (d.attempt() == 1) {
                try {
                    new CountDownLatch(1).await(); // forever, unless interrupted
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    return DeliveryResult.sent(); // too late: the attempt timed out
                }
            }
            return DeliveryResult.sent();
        };
        List<String> outcomes = new CopyOnWriteArrayList<>();
        NotificationService s = start(ServiceConfig.builder().workers(1).deliveryTimeout(Duration.ofMillis(200))
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), 1.0, Duration.ofMillis(10), 0))
                .pollInterval(Duration.ofMillis(20)).build(), plugin);
        s.addListener(new DeliveryListener() {
            @Override
            public void onSent(DeliveryRecord d) {
                outcomes.add("sent after " + d.attempts());
                sent.countDown();
            }

            @Override
            public void onRetrying(DeliveryRecord d, String reason) {
                outcomes.add("retrying: " + reason);
            }
        });
        s.notify(note("plugin", 1));
        await(interrupted);
        await(sent);

        assertThat(outcomes).containsExactly("retrying: attempt timed out after PT0.2S", "sent after 2");
        assertThat(meters.get("notify.channel.threads.stuck").tag("channel", "plugin").gauge().value()).isZero();
    }

    @Test
    @DisplayName("holds at most max-concurrency plus max-stuck-threads threads; past that its deliveries wait")
    void holdsBoundedThreads() throws Exception {
        RecordingPushChannel plugin = new RecordingPushChannel("capped");
        CountDownLatch twoStuck = new CountDownLatch(2);
        CountDownLatch okSent = new CountDownLatch(1);
        Set<Thread> inside = ConcurrentHashMap.newKeySet();
        plugin.behaviour = d -> {
            if (d.notification().title().startsWith("stuck")) {
                inside.add(Thread.currentThread());
                twoStuck.countDown();
                never.acquireUninterruptibly();
                inside.remove(Thread.currentThread());
            }
            return DeliveryResult.sent();
        };
        List<String> sent = new CopyOnWriteArrayList<>();
        CountDownLatch bothTimedOut = new CountDownLatch(2);
        NotificationService s = start(ServiceConfig.builder().workers(2).deliveryTimeout(Duration.ofMillis(200))
                .config(Config.of(Map.of("channels.capped.max-concurrency", "1", "channels.capped.max-stuck-threads", "1")))
                .build(), plugin);
        s.addListener(new DeliveryListener() {
            @Override
            public void onSent(DeliveryRecord d) {
                sent.add(d.target());
                okSent.countDown();
            }

            @Override
            public void onRetrying(DeliveryRecord d, String reason) {
                bothTimedOut.countDown();
            }
        });
        s.notify(Notification.builder().recipient("a").title("stuck-1").channel("capped").build());
        s.notify(Notification.builder().recipient("b").title("stuck-2").channel("capped").build());
        await(twoStuck);
        s.notify(Notification.builder().recipient("c").title("ok").channel("capped").build());

        // one place, one replacement: both threads are stuck (counted before their timeouts are recorded), so "ok" waits parked
        await(bothTimedOut);
        assertThat(meters.get("notify.channel.threads.stuck").tag("channel", "capped").gauge().value()).isEqualTo(2);
        // the first call ran on a worker, which was lent to the channel (a replacement started); the second on a channel thread
        assertThat(inside).hasSize(2);
        assertThat(channelThreads("capped") + lentWorkers(inside)).isEqualTo(2);
        assertThat(sent).isEmpty();

        never.release(1); // one stuck thread returns: its place frees up and "ok" goes through
        await(okSent);
        assertThat(sent).contains("c");
    }

    @Test
    @DisplayName("is called on the worker while quick; a call that holds the worker gets it lent and replaced, and the channel moves to its own threads until quick again")
    void runsInlineWhileQuickAndLendsTheWorkerWhenHeld() throws Exception {
        RecordingPushChannel plugin = new RecordingPushChannel("plugin");
        List<String> pluginThreads = new CopyOnWriteArrayList<>();
        CountDownLatch held = new CountDownLatch(1);
        plugin.behaviour = d -> {
            pluginThreads.add(Thread.currentThread().getName());
            if (d.notification().title().equals("hold")) {
                held.countDown();
                never.acquireUninterruptibly();
            }
            return DeliveryResult.sent();
        };
        RecordingPushChannel other = new RecordingPushChannel("other");
        CountDownLatch otherSent = new CountDownLatch(1);
        other.behaviour = d -> {
            otherSent.countDown();
            return DeliveryResult.sent();
        };
        Semaphore pluginSent = new Semaphore(0);
        NotificationService s = start(ServiceConfig.builder().workers(1).deliveryTimeout(Duration.ofSeconds(30))
                .config(Config.of(Map.of("channels.plugin.max-concurrency", "4"))).build(), plugin, other);
        s.addListener(new DeliveryListener() {
            @Override
            public void onSent(DeliveryRecord d) {
                if (d.channel().equals("plugin")) {
                    pluginSent.release();
                }
            }
        });

        s.notify(note("plugin", 0));
        s.notify(Notification.builder().recipient("u").title("hold").channel("plugin").build());
        await(held);
        s.notify(note("other", 1));
        // the only worker is inside the plugin's deliver; it is lent after 20-40 ms and a replacement delivers this
        await(otherSent);
        assertThat(pluginThreads).allMatch(t -> t.startsWith("notify-worker-"));
        assertThat(meters.get("notify.workers.lent").counter().count()).isEqualTo(1.0);

        // moved to its own threads; after QUICK_RUN quick calls in a row there (a slow one, a cold thread's first, starts the
        // count again), back on the worker
        assertThat(pluginSent.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
        int calls = 0;
        String last;
        do {
            s.notify(note("plugin", 100 + calls++));
            assertThat(pluginSent.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
            last = pluginThreads.get(pluginThreads.size() - 1);
            if (calls == 1) {
                assertThat(last).startsWith("notify-channel-plugin-");
            }
        } while (!last.startsWith("notify-worker-") && calls < 20 * ChannelSlot.QUICK_RUN);
        assertThat(last).as("back on the worker after %d calls", calls).startsWith("notify-worker-");
        assertThat(calls).isGreaterThan(ChannelSlot.QUICK_RUN);
        never.release(1);
        assertThat(pluginSent.tryAcquire(20, TimeUnit.SECONDS)).as("the held call, once back").isTrue();
        assertThat(meters.get("notify.workers.lent").counter().count()).isEqualTo(1.0);
    }

    private static long lentWorkers(Set<Thread> inside) {
        return inside.stream().filter(t -> t.getName().startsWith("notify-worker-")).count();
    }

    private static long channelThreads(String channel) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("notify-channel-" + channel + "-")).count();
    }
}
