package dev.notify.channel.webhook.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.testkit.MutableClock;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Endpoint isolation through the channel with real sockets (issue 14): attempts to receivers that
 * hang or misbehave are in flight on no caller's thread, each is cut off by its limit, and a
 * healthy endpoint's deliveries complete meanwhile as fast as they would alone.
 */
class WebhookIsolationTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final TestSupport.MemoryEndpoints store = new TestSupport.MemoryEndpoints();
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestChannelContext lastContext;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private WebhookChannel channel(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of("allow-private-networks", "true", "connect-timeout", "1s"));
        config.putAll(extra);
        TestChannelContext ctx = TestSupport.context(config, store, clock);
        lastContext = ctx;
        closing.add(ctx);
        WebhookChannel c = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
        closing.add(c);
        return c;
    }

    private BadReceiver bad(BadReceiver.Mode mode) throws Exception {
        BadReceiver r = new BadReceiver(mode);
        closing.add(r);
        return r;
    }

    /** A receiver answering 200 in one write (the JDK's server writes head and body apart, and delayed ACKs add 40 ms). */
    private String healthyUrl() throws Exception {
        return bad(BadReceiver.Mode.HEALTHY).url();
    }

    private void register(String id, String url) {
        store.create(TestSupport.endpoint(id, url, SECRET, clock.instant()));
    }

    private static Delivery delivery(String endpointId, int n) {
        Notification notification = Notification.builder().recipient("u1").topic("task:abc123").event("task.progress")
                .data(Map.of("n", n)).build();
        return new Delivery("msg_" + endpointId + "_" + n, notification, "webhook", endpointId, 1, List.of());
    }

    /** Milliseconds of each of {@code count} deliveries to the endpoint, one after the other. */
    private static long[] healthyLatencies(WebhookChannel c, String endpointId, int count) {
        long[] ms = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            DeliveryResult r = c.deliverAsync(delivery(endpointId, i)).toCompletableFuture().join();
            ms[i] = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.isSent()).as(r.toString()).isTrue();
        }
        return ms;
    }

    private static long p99(long[] ms) {
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
    }

    @Test
    @DisplayName("fifty hanging endpoints hold no caller: each attempt starts at once, the healthy endpoint's p99 stays under 100 ms, the hanging ones time out")
    void fiftyHangingEndpointsAndOneHealthy() throws Exception {
        WebhookChannel c = channel(Map.of("request-timeout", "3s", "max-concurrency-per-endpoint", "4"));
        List<CompletableFuture<DeliveryResult>> hanging = new ArrayList<>();
        long[] startMs = new long[200];
        for (int e = 0; e < 50; e++) {
            register("wh_hang_" + e, bad(BadReceiver.Mode.HANG).url());
        }
        register("wh_ok", healthyUrl());
        healthyLatencies(c, "wh_ok", 20); // warm-up: the JIT, the connection

        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            for (int e = 0; e < 50; e++) {
                long t = System.nanoTime();
                hanging.add(c.deliverAsync(delivery("wh_hang_" + e, i)).toCompletableFuture());
                startMs[i * 50 + e] = (System.nanoTime() - t) / 1_000_000;
            }
        }
        DeliveryResult fifth = c.deliverAsync(delivery("wh_hang_0", 99)).toCompletableFuture().join();
        long[] healthy = healthyLatencies(c, "wh_ok", 200);

        // the engine calls deliverAsync on a shared worker: it returns once the attempt is started (the test kit's
        // contract allows 1 s for one call; a GC pause or a busy machine accounts for the odd slow one)
        assertThat(p99(startMs)).as("p99 ms a deliverAsync took to return").isLessThan(50);
        assertThat(Arrays.stream(startMs).max().orElseThrow()).as("ms the slowest deliverAsync took to return").isLessThan(1000);
        assertThat(fifth.outcome()).as("a saturated endpoint defers, costing no attempt: %s", fifth).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(p99(healthy)).as("p99 ms of the healthy endpoint with 200 attempts hanging").isLessThanOrEqualTo(100);
        assertThat((System.nanoTime() - started) / 1_000_000).as("the healthy deliveries were all done before the first timeout")
                .isLessThan(3000);
        assertThat(hanging).noneMatch(CompletableFuture::isDone);
        CompletableFuture.allOf(hanging.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        for (CompletableFuture<DeliveryResult> f : hanging) {
            assertThat(f.join().outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(f.join().reason()).contains("timed out");
        }
        assertThat(store.find("wh_hang_0").orElseThrow().consecutiveFailures()).as("the failure run is kept").isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BadReceiver.Mode.class, names = {"HANG", "HEALTHY"}, mode = EnumSource.Mode.EXCLUDE)
    @DisplayName("a receiver that misbehaves is cut off by its limit and does not delay a healthy endpoint")
    void misbehavingReceiverIsCutOff(BadReceiver.Mode mode) throws Exception {
        WebhookChannel c = channel(Map.of("request-timeout", "3s"));
        register("wh_bad", bad(mode).url());
        register("wh_ok", healthyUrl());
        healthyLatencies(c, "wh_ok", 20);

        long start = System.nanoTime();
        List<CompletableFuture<DeliveryResult>> bad = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong lastDone = new java.util.concurrent.atomic.AtomicLong();
        for (int i = 0; i < 4; i++) {
            bad.add(c.deliverAsync(delivery("wh_bad", i)).toCompletableFuture()
                    .whenComplete((r, x) -> lastDone.accumulateAndGet(System.nanoTime(), Math::max)));
        }
        long[] healthy = healthyLatencies(c, "wh_ok", 100);
        CompletableFuture.allOf(bad.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        long tookMs = (lastDone.get() - start) / 1_000_000;

        assertThat(p99(healthy)).as("p99 ms of the healthy endpoint next to " + mode).isLessThanOrEqualTo(100);
        for (CompletableFuture<DeliveryResult> f : bad) {
            DeliveryResult r = f.join();
            switch (mode) {
                case ONE_BYTE_PER_SECOND -> {
                    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
                    assertThat(r.reason()).as("cut off by request-timeout").contains("timed out");
                }
                case ENDLESS_BODY -> {
                    assertThat(r.statusCode()).hasValue(500);
                    assertThat(r.response()).get().asString().endsWith("[truncated at 16384 bytes]");
                    assertThat(tookMs).as("cut off by max-response-bytes, not by the deadline").isLessThan(3000);
                }
                case TWO_GB_CONTENT_LENGTH -> {
                    assertThat(r.isSent()).as(r.toString()).isTrue();
                    assertThat(r.response()).get().asString().startsWith("yyyy").endsWith("[truncated at 16384 bytes]");
                    assertThat(tookMs).as("cut off by max-response-bytes, not by the deadline").isLessThan(3000);
                }
                case RESET -> {
                    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
                    assertThat(r.reason()).startsWith("connection failed");
                }
                case CONTINUE_FLOOD -> {
                    assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
                    assertThat(r.reason()).contains("more than 16 interim (1xx) answers");
                    assertThat(tookMs).as("cut off by the interim limit, not by the deadline").isLessThan(3000);
                }
                default -> throw new IllegalStateException(mode.toString());
            }
        }
    }

    /** A receiver answering 200 after {@code delay} ms, on as many threads as asked (the JDK's server). */
    /** The bodies the receivers of {@link #slowUrl} received. */
    private final List<String> slowBodies = new java.util.concurrent.CopyOnWriteArrayList<>();

    private String slowUrl(java.util.concurrent.atomic.AtomicLong delay) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 64);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/", ex -> {
            try (ex) {
                slowBodies.add(new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                Thread.sleep(delay.get());
                ex.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        closing.add(() -> {
            server.stop(0);
            threads.shutdownNow();
        });
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Registers {@code wh_slow}, answering after the returned delay (in ms, changeable), {@code millis} at first. */
    private java.util.concurrent.atomic.AtomicLong slowEndpoint(long millis) throws Exception {
        java.util.concurrent.atomic.AtomicLong delay = new java.util.concurrent.atomic.AtomicLong(millis);
        register("wh_slow", slowUrl(delay));
        return delay;
    }

    /**
     * A channel with one place per endpoint and {@code busy-wait} as given, whose delivery {@code n} to
     * {@code wh_slow} (registered by the caller) was sent: the endpoint's pace is known, so it lines up.
     */
    private WebhookChannel oneSlotChannel(String busyWait, int n) {
        WebhookChannel c = channel(Map.of("max-concurrency-per-endpoint", "1", "busy-wait", busyWait));
        assertThat(c.deliverAsync(delivery("wh_slow", n)).toCompletableFuture().join().isSent()).as("the pace").isTrue();
        return c;
    }

    @Test
    @DisplayName("deliveries to a saturated endpoint that answers in time wait in memory for its places instead of being deferred for busy-retry-after")
    void aSaturatedQuickEndpointsDeliveriesWaitInMemory() throws Exception {
        java.util.concurrent.atomic.AtomicLong delay = slowEndpoint(50);
        WebhookChannel c = oneSlotChannel("1s", 0); // the pace: ~50 ms

        List<CompletableFuture<DeliveryResult>> burst = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            burst.add(c.deliverAsync(delivery("wh_slow", i)).toCompletableFuture());
        }
        // one place: the 1st is sent and the next ones wait in line (a place every ~50 ms, within busy-wait); the line
        // holds 16 per place, so the 18th on are deferred at once, no attempt spent
        for (int i = 17; i < 25; i++) {
            assertThat(burst.get(i).getNow(null)).as("delivery %d is answered at once", i + 1)
                    .extracting(DeliveryResult::outcome).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        }
        for (int i = 0; i < 4; i++) {
            DeliveryResult r = burst.get(i).get(10, TimeUnit.SECONDS);
            assertThat(r.isSent()).as("delivery %d: %s", i + 1, r).isTrue();
        }
        for (CompletableFuture<DeliveryResult> f : burst) {
            f.get(10, TimeUnit.SECONDS); // every one in line ends, sent or (had the pace slowed) deferred
        }

        // the endpoint slows down while a delivery waits: its place does not come within busy-wait, so it is deferred
        delay.set(3000);
        CompletableFuture<DeliveryResult> holding = c.deliverAsync(delivery("wh_slow", 30)).toCompletableFuture();
        CompletableFuture<DeliveryResult> waiting = c.deliverAsync(delivery("wh_slow", 31)).toCompletableFuture();
        assertThat(waiting.getNow(null)).as("it waits").isNull();
        DeliveryResult late = waiting.get(5, TimeUnit.SECONDS);
        assertThat(late.outcome()).as(late.toString()).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(late.reason()).contains("in flight");
        assertThat(holding.getNow(null)).as("deferred before the attempt ahead of it ended").isNull();
        assertThat(holding.get(10, TimeUnit.SECONDS).isSent()).isTrue();
    }

    @Test
    @DisplayName("with busy-wait 0 a saturated endpoint's deliveries are deferred at once, and closing the channel ends those still waiting")
    void busyWaitZeroDefersAtOnceAndCloseEndsTheLine() throws Exception {
        java.util.concurrent.atomic.AtomicLong delay = slowEndpoint(100);
        WebhookChannel eager = oneSlotChannel("0s", 0);
        CompletableFuture<DeliveryResult> first = eager.deliverAsync(delivery("wh_slow", 1)).toCompletableFuture();
        CompletableFuture<DeliveryResult> second = eager.deliverAsync(delivery("wh_slow", 2)).toCompletableFuture();
        assertThat(second.getNow(null)).as("deferred at once").extracting(DeliveryResult::outcome).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        first.get(10, TimeUnit.SECONDS);

        WebhookChannel closing = oneSlotChannel("5s", 3);
        delay.set(2000);
        CompletableFuture<DeliveryResult> sending = closing.deliverAsync(delivery("wh_slow", 4)).toCompletableFuture();
        CompletableFuture<DeliveryResult> waiting = closing.deliverAsync(delivery("wh_slow", 5)).toCompletableFuture();
        assertThat(waiting.getNow(null)).isNull();
        closing.close();
        DeliveryResult r = waiting.get(1, TimeUnit.SECONDS);
        assertThat(r.outcome()).as(r.toString()).isEqualTo(DeliveryResult.Outcome.RETRY);
        assertThat(r.reason()).contains("closed");
        sending.get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("an attempt that ends with a place free, nobody in line and deliveries deferred to later times pulls the next ones (what fits the line at the pace, plus the free place), and so does an endpoint with nothing in flight")
    void aFreePlaceWithDeferralsAheadPullsTheNextDeferredDeliveries() throws Exception {
        java.util.concurrent.atomic.AtomicLong delay = slowEndpoint(40);
        WebhookChannel c = channel(Map.of("max-concurrency-per-endpoint", "1", "busy-wait", "1s", "max-waiting-per-endpoint", "1"));
        assertThat(c.deliverAsync(delivery("wh_slow", 0)).toCompletableFuture().join().isSent()).as("the pace").isTrue();

        CompletableFuture<DeliveryResult> sending = c.deliverAsync(delivery("wh_slow", 1)).toCompletableFuture();
        CompletableFuture<DeliveryResult> inLine = c.deliverAsync(delivery("wh_slow", 2)).toCompletableFuture();
        DeliveryResult deferred = c.deliverAsync(delivery("wh_slow", 3)).toCompletableFuture().getNow(null);
        assertThat(deferred).as("the line holds one: deferred to a reserved time").isNotNull()
                .extracting(DeliveryResult::outcome).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(sending.get(10, TimeUnit.SECONDS).isSent()).isTrue();
        assertThat(lastContext.pulled()).as("its place went to the one in line: nothing pulled").isEmpty();
        assertThat(inLine.get(10, TimeUnit.SECONDS).isSent()).isTrue();

        // the place is free, the line empty, and the deferred delivery waits for a later time: pull one to the line, one to the place
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lastContext.pulled().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(lastContext.pulled().get(0)).isEqualTo(Map.entry("wh_slow", 2));

        // nothing in flight now, so no attempt ends to ask again; the idle check does, while the deferral is ahead
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lastContext.pulled().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(lastContext.pulled()).as("pulled again with nothing in flight").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(e -> assertThat(e.getKey()).isEqualTo("wh_slow"));
    }

    @Test
    @DisplayName("a delivery the engine gives up on while it waits in line (its stage cancelled at the deadline) leaves the line and is never sent")
    void aCancelledDeliveryInLineIsNeverSent() throws Exception {
        java.util.concurrent.atomic.AtomicLong delay = slowEndpoint(100);
        WebhookChannel c = oneSlotChannel("5s", 0); // the pace: ~100 ms
        delay.set(400);
        CompletableFuture<DeliveryResult> sending = c.deliverAsync(delivery("wh_slow", 1)).toCompletableFuture();
        CompletableFuture<DeliveryResult> given = c.deliverAsync(delivery("wh_slow", 2)).toCompletableFuture();
        CompletableFuture<DeliveryResult> next = c.deliverAsync(delivery("wh_slow", 3)).toCompletableFuture();
        assertThat(given.getNow(null)).as("in line").isNull();
        given.cancel(true); // what the engine does to an attempt past its deadline
        assertThat(sending.get(10, TimeUnit.SECONDS).isSent()).isTrue();
        DeliveryResult third = next.get(10, TimeUnit.SECONDS);
        assertThat(third.isSent()).as("the place went on to the next in line: %s", third).isTrue();
        assertThat(slowBodies).as("bodies received").hasSize(3)
                .noneMatch(b -> b.contains("\"n\":2"))
                .anyMatch(b -> b.contains("\"n\":3"));
    }

    @Test
    @DisplayName("max-in-flight bounds the node: past it a delivery is deferred, and a slot freed serves again")
    void nodeInFlightLimit() throws Exception {
        WebhookChannel c = channel(Map.of("request-timeout", "2s", "max-in-flight", "3"));
        BadReceiver hang = bad(BadReceiver.Mode.HANG);
        for (int e = 0; e < 3; e++) {
            register("wh_hang_" + e, hang.url());
        }
        register("wh_ok", healthyUrl());
        List<CompletableFuture<DeliveryResult>> held = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            held.add(c.deliverAsync(delivery("wh_hang_" + e, 0)).toCompletableFuture());
        }
        DeliveryResult over = c.deliverAsync(delivery("wh_ok", 0)).toCompletableFuture().join();
        assertThat(over.outcome()).isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(over.reason()).contains("max-in-flight");
        CompletableFuture.allOf(held.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(c.deliverAsync(delivery("wh_ok", 1)).toCompletableFuture().join().isSent()).isTrue();
    }
}
