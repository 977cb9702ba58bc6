package dev.notify.channel.webhook.internal;

import com.standardwebhooks.Webhook;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.Delivery;
import dev.notify.channel.webhook.WebhookSignatures;
import dev.notify.testkit.MutableClock;
import dev.notify.testkit.RecordingMetrics;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookChannelTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final TestSupport.MemoryEndpoints store = new TestSupport.MemoryEndpoints();
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private WebhookChannel channel(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of("allow-private-networks", "true", "request-timeout", "2s",
                "connect-timeout", "1s"));
        config.putAll(extra);
        TestChannelContext ctx = TestSupport.context(config, store, clock);
        closing.add(ctx);
        WebhookChannel c = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
        closing.add(c);
        return c;
    }

    private Receiver receiver(Receiver.Answer... answers) {
        Receiver r = Receiver.start(answers);
        closing.add(r);
        return r;
    }

    private WebhookEndpoint register(String id, String url) {
        return store.create(TestSupport.endpoint(id, url, SECRET, clock.instant()));
    }

    private static Notification notification() {
        return Notification.builder().recipient("u1").topic("task:abc123").event("task.progress")
                .data(Map.of("percent", 50, "message", "Processing...")).createdAt(Instant.parse("2024-01-15T10:30:00Z")).build();
    }

    private static Delivery delivery(String endpointId, int attempt) {
        return new Delivery("msg_42", notification(), "webhook", endpointId, attempt, List.of());
    }

    @Test
    @DisplayName("a 2xx answer is sent: the body and both signatures verify, the standardwebhooks library included")
    void deliversASignedPost() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(200, "thanks"));
        register("wh_1", r.url("/hook?x=1"));
        DeliveryResult result = channel(Map.of()).deliver(delivery("wh_1", 1));
        assertThat(result.isSent()).as(result.toString()).isTrue();
        assertThat(result.statusCode()).hasValue(200);
        assertThat(result.response()).hasValue("thanks");

        Receiver.Received got = r.next();
        assertThat(got.method()).isEqualTo("POST");
        assertThat(got.path()).isEqualTo("/hook?x=1");
        assertThat(got.header("Content-Type")).isEqualTo("application/json");
        assertThat(got.header("X-Task-ID")).isEqualTo("abc123");
        assertThat(got.header("X-Event-Type")).isEqualTo("task.progress");
        assertThat(got.header("webhook-id")).isEqualTo("msg_42");
        assertThat(got.header("X-Webhook-Signature"))
                .isEqualTo(WebhookSignatures.legacy(SECRET, got.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Map<String, Object> json = new TestSupport.YassonJson().parseObject(got.body());
        assertThat(json).containsEntry("task_id", "abc123").containsEntry("event_type", "task.progress")
                .containsEntry("timestamp", "2024-01-15T10:30:00Z").containsKey("data");
        assertThat(got.body()).startsWith("{\"task_id\":\"abc123\",\"event_type\":\"task.progress\"");

        Map<String, List<String>> headers = new HashMap<>();
        got.headers().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
        new Webhook(SECRET).verify(got.body(), headers); // throws when it does not verify
    }

    @Test
    @DisplayName("webhook-id stays the same across retries of one delivery")
    void webhookIdIsStableAcrossRetries() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(500), Receiver.Answer.of(200));
        register("wh_1", r.url("/hook"));
        WebhookChannel c = channel(Map.of());
        assertThat(c.deliver(delivery("wh_1", 1)).outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
        assertThat(c.deliver(delivery("wh_1", 2)).isSent()).isTrue();
        assertThat(r.next().header("webhook-id")).isEqualTo(r.next().header("webhook-id")).isEqualTo("msg_42");
    }

    @Test
    @DisplayName("after a secret rotation both secrets sign until the window closes, then only the new one")
    void rotationSignsWithBothSecrets() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(204));
        String fresh = WebhookServlet.newSecret();
        store.create(new WebhookEndpoint("wh_1", r.url("/hook"), fresh, Optional.of(SECRET),
                Optional.of(clock.instant().plus(Duration.ofHours(1))), Set.of(), Set.of(), "", true, 0, Optional.empty(),
                clock.instant(), clock.instant()));
        WebhookChannel c = channel(Map.of());
        assertThat(c.deliver(delivery("wh_1", 1)).isSent()).isTrue();
        Receiver.Received got = r.next();
        String header = got.header("webhook-signature");
        assertThat(header.split(" ")).hasSize(2);
        long ts = Long.parseLong(got.header("webhook-timestamp"));
        assertThat(WebhookSignatures.verifyStandard(SECRET, "msg_42", ts, got.body(), header)).isTrue();
        assertThat(WebhookSignatures.verifyStandard(fresh, "msg_42", ts, got.body(), header)).isTrue();

        clock.advance(Duration.ofHours(2));
        c.deliver(delivery("wh_1", 1));
        assertThat(r.next().header("webhook-signature").split(" ")).hasSize(1);
    }

    @Nested
    @DisplayName("failures")
    class Failures {

        @ParameterizedTest(name = "status {0} is counted as {1}")
        // a status of more than three digits is not an answer at all (WebhookHttpAnswersTest): no label
        @CsvSource({"503, 5xx", "204, 2xx", "999, other", "600, other"})
        @DisplayName("the response-status metric label is one of 1xx to 5xx or other, whatever a receiver answers")
        void statusLabelIsBounded(int status, String label) {
            Receiver r = receiver(Receiver.Answer.of(status));
            register("wh_1", r.url("/hook"));
            RecordingMetrics metrics = new RecordingMetrics();
            TestChannelContext ctx = TestChannelContext.builder("webhook").json(new TestSupport.YassonJson())
                    .config(Map.of("allow-private-networks", "true", "request-timeout", "2s", "connect-timeout", "1s"))
                    .webhookEndpoints(store).clock(clock).metrics(metrics).build();
            closing.add(ctx);
            WebhookChannel c = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
            closing.add(c);

            c.deliver(delivery("wh_1", 1));

            assertThat(metrics.counter("notify.webhook.responses", "status", label)).isEqualTo(1);
        }

        @Test
        @DisplayName("500 asks for a retry and keeps the status and the response excerpt")
        void serverErrorRetries() {
            Receiver r = receiver(Receiver.Answer.of(500, "boom"));
            register("wh_1", r.url("/hook"));
            DeliveryResult result = channel(Map.of()).deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(result.statusCode()).hasValue(500);
            assertThat(result.response()).hasValue("boom");
        }

        @Test
        @DisplayName("a redirect is not followed: a retry, the Location named in the reason")
        void redirectIsNotFollowed() throws Exception {
            Receiver r = receiver(Receiver.Answer.withHeader(302, "Location", "http://169.254.169.254/latest"));
            register("wh_1", r.url("/hook"));
            DeliveryResult result = channel(Map.of()).deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(result.reason()).contains("302").contains("not followed");
            r.next();
            assertThat(r.count()).isZero();
        }

        @Test
        @DisplayName("410 Gone fails the delivery for good and disables the endpoint")
        void goneDisables() {
            Receiver r = receiver(Receiver.Answer.of(410));
            register("wh_1", r.url("/hook"));
            WebhookChannel c = channel(Map.of());
            DeliveryResult result = c.deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
            assertThat(store.find("wh_1").orElseThrow().enabled()).isFalse();
            assertThat(c.targets(notification())).isEmpty();
            assertThat(c.deliver(delivery("wh_1", 1)).reason()).contains("disabled");
        }

        @Test
        @DisplayName("429 with Retry-After in seconds is honoured, and clamped to the configured range")
        void retryAfterSeconds() {
            Receiver r = receiver(Receiver.Answer.withHeader(429, "Retry-After", "120"));
            register("wh_1", r.url("/hook"));
            DeliveryResult result = channel(Map.of()).deliver(delivery("wh_1", 1));
            assertThat(result.retryAfter()).hasValue(Duration.ofSeconds(120));

            r.script(Receiver.Answer.withHeader(503, "Retry-After", "999999"));
            assertThat(channel(Map.of("retry-after-max", "10m")).deliver(delivery("wh_1", 1)).retryAfter())
                    .hasValue(Duration.ofMinutes(10));
            r.script(Receiver.Answer.withHeader(503, "Retry-After", "0"));
            assertThat(channel(Map.of()).deliver(delivery("wh_1", 1)).retryAfter()).hasValue(Duration.ofSeconds(1));
        }

        @Test
        @DisplayName("Retry-After as an HTTP date is measured from the channel's clock")
        void retryAfterDate() {
            String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(300).atOffset(ZoneOffset.UTC));
            Receiver r = receiver(Receiver.Answer.withHeader(503, "Retry-After", date));
            register("wh_1", r.url("/hook"));
            Duration after = channel(Map.of()).deliver(delivery("wh_1", 1)).retryAfter().orElseThrow();
            assertThat(after).isBetween(Duration.ofSeconds(299), Duration.ofSeconds(300));
        }

        @Test
        @DisplayName("a receiver that never answers times out after request-timeout")
        void hangTimesOut() {
            Receiver r = receiver(Receiver.Answer.hanging());
            register("wh_1", r.url("/hook"));
            long start = System.nanoTime();
            DeliveryResult result = channel(Map.of("request-timeout", "500ms")).deliver(delivery("wh_1", 1));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(result.reason()).contains("timed out");
            assertThat(ms).as("ms: the timeout, not the hang").isBetween(400L, 15_000L);
        }

        @Test
        @DisplayName("a connection reset is a retry with the reason")
        void resetRetries() throws Exception {
            Receiver.Resetter reset = new Receiver.Resetter();
            closing.add(reset);
            register("wh_1", reset.url());
            DeliveryResult result = channel(Map.of()).deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(result.reason()).containsAnyOf("reset", "closed", "connection");
        }

        @Test
        @DisplayName("a refused connection (nothing listening) is a retry")
        void nothingListening() throws Exception {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            register("wh_1", "http://127.0.0.1:" + port + "/hook");
            DeliveryResult result = channel(Map.of()).deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(result.reason()).contains("could not connect");
        }

        @Test
        @DisplayName("a response body is kept up to 16 KiB and marked truncated")
        void truncatesLongResponses() {
            Receiver r = receiver(Receiver.Answer.of(500, "x".repeat(100_000)));
            register("wh_1", r.url("/hook"));
            String excerpt = channel(Map.of()).deliver(delivery("wh_1", 1)).response().orElseThrow();
            assertThat(excerpt).startsWith("x".repeat(16 * 1024)).contains("[truncated at 16384 bytes]");
            assertThat(excerpt.length()).isLessThan(16 * 1024 + 100);
        }

        @Test
        @DisplayName("without allow-private-networks the same loopback URL is refused at connection, for good")
        void loopbackRefusedWithoutTheFlag() {
            Receiver r = receiver(Receiver.Answer.of(200));
            register("wh_1", r.url("/hook"));
            RecordingMetrics metrics = new RecordingMetrics();
            TestChannelContext ctx = TestChannelContext.builder("webhook").json(new TestSupport.YassonJson())
                    .webhookEndpoints(store).clock(clock).metrics(metrics).build();
            closing.add(ctx);
            WebhookChannel strict = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
            DeliveryResult result = strict.deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
            assertThat(result.reason()).contains("127.0.0.1").contains("allow-private-networks");
            assertThat(r.count()).isZero();
        }

        @Test
        @DisplayName("a host re-resolving to loopback (DNS rebinding) is refused at the connection")
        void rebindingIsCaughtAtConnection() throws Exception {
            Receiver r = receiver(Receiver.Answer.of(200));
            java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
            AddressPolicy rebinding = new AddressPolicy(false, List.of(), host -> new java.net.InetAddress[] {
                    java.net.InetAddress.getByName(lookups.getAndIncrement() == 0 ? "93.184.215.14" : "127.0.0.1")});
            rebinding.check(AddressPolicy.checkForm("http://rebind.example:" + r.port() + "/hook")); // registration: public
            register("wh_1", "http://rebind.example:" + r.port() + "/hook");
            TestChannelContext ctx = TestSupport.context(Map.of(), store, clock);
            closing.add(ctx);
            WebhookSettings s = WebhookSettings.from(ctx.config());
            WebhookChannel c = new WebhookChannel(ctx, s, "/api/v1/webhooks", rebinding, new WebhookHttp(rebinding, s));
            DeliveryResult result = c.deliver(delivery("wh_1", 1));
            assertThat(result.outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
            assertThat(result.reason()).contains("127.0.0.1");
            assertThat(r.count()).isZero();
        }
    }

    @Nested
    @DisplayName("endpoints that keep failing")
    class AutoDisable {

        @Test
        @DisplayName("count failures, and are disabled once failing for auto-disable-after with enough failures")
        void disabledAfterFailingLongEnough() {
            Receiver r = receiver(Receiver.Answer.of(500));
            register("wh_1", r.url("/hook"));
            RecordingMetrics metrics = new RecordingMetrics();
            TestChannelContext ctx = TestChannelContext.builder("webhook").json(new TestSupport.YassonJson())
                    .webhookEndpoints(store).clock(clock).metrics(metrics)
                    .config(Map.of("allow-private-networks", "true", "auto-disable-after", "24h", "auto-disable-min-failures", "3"))
                    .build();
            closing.add(ctx);
            WebhookChannel c = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
            Instant start = clock.instant();
            for (int i = 0; i < 5; i++) {
                c.deliver(delivery("wh_1", 1));
                clock.advance(Duration.ofHours(1));
            }
            WebhookEndpoint e = store.find("wh_1").orElseThrow();
            assertThat(e.enabled()).isTrue();
            assertThat(e.consecutiveFailures()).isEqualTo(5);
            assertThat(e.failingSince()).hasValue(start);

            clock.advance(Duration.ofHours(20));
            c.deliver(delivery("wh_1", 1));
            assertThat(store.find("wh_1").orElseThrow().enabled()).isFalse();
            assertThat(metrics.counter("notify.webhook.endpoints.disabled", "reason", "failing")).isEqualTo(1);
            assertThat(ctx.operationalEvents()).as("the operators are told, once").singleElement().satisfies(ev -> {
                assertThat(ev.event()).isEqualTo("webhook.endpoint.disabled");
                assertThat(ev.message()).contains("wh_1").contains("/api/v1/webhooks/wh_1/enable");
                assertThat(ev.details()).containsEntry("endpoint_id", "wh_1").containsEntry("reason", "failing");
            });
            c.deliver(delivery("wh_1", 1));
            assertThat(ctx.operationalEvents()).as("a disabled endpoint is not announced again").hasSize(1);
        }

        @Test
        @DisplayName("a success ends the failure run")
        void successResets() {
            Receiver r = receiver(Receiver.Answer.of(500), Receiver.Answer.of(500), Receiver.Answer.of(200));
            register("wh_1", r.url("/hook"));
            WebhookChannel c = channel(Map.of());
            c.deliver(delivery("wh_1", 1));
            c.deliver(delivery("wh_1", 2));
            assertThat(store.find("wh_1").orElseThrow().consecutiveFailures()).isEqualTo(2);
            assertThat(c.deliver(delivery("wh_1", 3)).isSent()).isTrue();
            WebhookEndpoint e = store.find("wh_1").orElseThrow();
            assertThat(e.consecutiveFailures()).isZero();
            assertThat(e.failingSince()).isEmpty();
        }
    }

    @Nested
    @DisplayName("isolation")
    class Isolation {

        @Test
        @DisplayName("a hanging endpoint neither delays a healthy one nor takes more than its share of workers")
        void hangingEndpointIsIsolated() throws Exception {
            Receiver hanging = receiver(Receiver.Answer.hanging());
            Receiver healthy = receiver(Receiver.Answer.of(200));
            register("wh_slow", hanging.url("/hook"));
            register("wh_ok", healthy.url("/hook"));
            WebhookChannel c = channel(Map.of("request-timeout", "5s", "max-concurrency-per-endpoint", "2"));

            List<CompletableFuture<DeliveryResult>> stuck = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                stuck.add(CompletableFuture.supplyAsync(() -> c.deliver(delivery("wh_slow", 1))));
            }
            hanging.next();
            hanging.next();
            DeliveryResult busy = c.deliver(delivery("wh_slow", 1));
            assertThat(busy.outcome()).as("a saturated endpoint defers instead of using up an attempt")
                    .isEqualTo(DeliveryResult.Outcome.DEFERRED);
            assertThat(busy.retryAfter()).hasValue(Duration.ofSeconds(1));
            assertThat(busy.reason()).contains("in flight");
            for (int i = 0; i < 5; i++) {
                assertThat(c.deliver(delivery("wh_ok", 1)).isSent()).isTrue();
            }
            assertThat(stuck).as("the healthy endpoint was served while both attempts to the hanging one were still open")
                    .noneMatch(CompletableFuture::isDone);
            for (CompletableFuture<DeliveryResult> f : stuck) {
                assertThat(f.get(10, TimeUnit.SECONDS).reason()).contains("timed out");
            }
        }
    }

    @Test
    @DisplayName("an endpoint over its rate limit defers the delivery without an attempt, and other endpoints go on")
    void endpointOverItsRateDefers() throws Exception {
        Receiver limited = receiver(Receiver.Answer.of(200), Receiver.Answer.of(200));
        Receiver other = receiver(Receiver.Answer.of(200));
        register("wh_limited", limited.url("/hook"));
        register("wh_other", other.url("/hook"));
        WebhookChannel c = channel(Map.of("rate-limit", "0.5:2"));

        assertThat(c.deliver(delivery("wh_limited", 1)).isSent()).isTrue();
        assertThat(c.deliver(delivery("wh_limited", 1)).isSent()).isTrue();
        DeliveryResult over = c.deliver(delivery("wh_limited", 1));

        assertThat(over.outcome()).as("deferred: no attempt is used up").isEqualTo(DeliveryResult.Outcome.DEFERRED);
        assertThat(over.reason()).contains("rate limit");
        assertThat(over.retryAfter()).get().satisfies(d -> assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(limited.next()).isNotNull();
        assertThat(limited.next()).isNotNull();
        assertThat(limited.count()).as("the deferred delivery never reached the receiver").isZero();
        assertThat(c.deliver(delivery("wh_other", 1)).isSent()).isTrue();
    }

    @Test
    @DisplayName("targets are the enabled endpoints whose topic and event filters match")
    void targetsFollowFilters() {
        Instant now = clock.instant();
        store.create(new WebhookEndpoint("all", "https://a.example/", SECRET, Optional.empty(), Optional.empty(), Set.of(),
                Set.of(), "", true, 0, Optional.empty(), now, now));
        store.create(new WebhookEndpoint("tasks", "https://a.example/", SECRET, Optional.empty(), Optional.empty(),
                Set.of("task:*"), Set.of("task.*"), "", true, 0, Optional.empty(), now, now));
        store.create(new WebhookEndpoint("other-topic", "https://a.example/", SECRET, Optional.empty(), Optional.empty(),
                Set.of("build:*"), Set.of(), "", true, 0, Optional.empty(), now, now));
        store.create(new WebhookEndpoint("other-event", "https://a.example/", SECRET, Optional.empty(), Optional.empty(),
                Set.of(), Set.of("task.completed"), "", true, 0, Optional.empty(), now, now));
        store.create(new WebhookEndpoint("off", "https://a.example/", SECRET, Optional.empty(), Optional.empty(), Set.of(),
                Set.of(), "", false, 0, Optional.empty(), now, now));
        assertThat(channel(Map.of()).targets(notification())).containsExactlyInAnyOrder("all", "tasks");
    }

    @Test
    @DisplayName("deliver reads endpoints through the short cache: no store lookup per delivery; changes made elsewhere show within endpoint-cache-ttl")
    void endpointCache() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(200));
        WebhookEndpoint e = register("wh_1", r.url("/hook"));
        java.util.concurrent.atomic.AtomicInteger finds = new java.util.concurrent.atomic.AtomicInteger();
        TestSupport.MemoryEndpoints inner = new TestSupport.MemoryEndpoints();
        dev.notify.api.spi.WebhookEndpointStore counting = new dev.notify.api.spi.WebhookEndpointStore() {
            @Override
            public WebhookEndpoint create(WebhookEndpoint x) {
                return inner.create(x);
            }

            @Override
            public Optional<WebhookEndpoint> find(String id) {
                finds.incrementAndGet();
                return inner.find(id);
            }

            @Override
            public List<WebhookEndpoint> list() {
                return inner.list();
            }

            @Override
            public Optional<WebhookEndpoint> update(WebhookEndpoint x) {
                return inner.update(x);
            }

            @Override
            public boolean delete(String id) {
                return inner.delete(id);
            }
        };
        counting.create(e);
        TestChannelContext ctx = TestSupport.context(Map.of("allow-private-networks", "true", "endpoint-cache-ttl", "300ms"),
                counting, clock);
        closing.add(ctx);
        WebhookChannel c = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
        closing.add(c);
        for (int i = 0; i < 5; i++) {
            assertThat(c.deliver(delivery("wh_1", 1)).isSent()).isTrue();
        }
        assertThat(finds.get()).isZero();

        // disabled directly in the store, as another node would: seen once the cache entry is older than the TTL
        counting.update(new WebhookEndpoint(e.id(), e.url(), e.secret(), e.previousSecret(), e.previousSecretExpiresAt(),
                e.topics(), e.events(), e.description(), false, 0, Optional.empty(), e.createdAt(), clock.instant()));
        Thread.sleep(400);
        assertThat(c.deliver(delivery("wh_1", 1)).reason()).contains("disabled");
        // an endpoint the cache does not know yet is looked up in the store
        counting.create(TestSupport.endpoint("wh_2", r.url("/hook"), SECRET, clock.instant()));
        assertThat(c.deliver(delivery("wh_2", 1)).isSent()).isTrue();
        assertThat(finds.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("another node's change of an endpoint reaches the next attempt through the setting hint, before the cache's TTL; a change here is announced")
    void endpointChangesTravelAsSettingHints() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(200));
        WebhookEndpoint e = register("wh_1", r.url("/hook"));
        TestChannelContext ctx = TestSupport.context(Map.of("allow-private-networks", "true", "endpoint-cache-ttl", "1h"), store, clock);
        closing.add(ctx);
        WebhookChannel c = new WebhookChannel(ctx, WebhookSettings.from(ctx.config()), "/api/v1/webhooks");
        closing.add(c);
        assertThat(c.deliver(delivery("wh_1", 1)).isSent()).isTrue();

        // disabled in the store by another node, which says so through the cluster signal
        store.update(new WebhookEndpoint(e.id(), e.url(), e.secret(), e.previousSecret(), e.previousSecretExpiresAt(),
                e.topics(), e.events(), e.description(), false, 0, Optional.empty(), e.createdAt(), clock.instant()));
        assertThat(c.deliver(delivery("wh_1", 1)).isSent()).as("cached for an hour, no hint yet").isTrue();
        ctx.announceSettingChanged("wh_1");
        assertThat(c.deliver(delivery("wh_1", 1)).reason()).contains("disabled");

        c.changed("wh_1");
        assertThat(ctx.settingsChanged()).containsExactly("wh_1");
    }

    @Test
    @DisplayName("a deleted endpoint fails its deliveries for good")
    void deletedEndpoint() {
        assertThat(channel(Map.of()).deliver(delivery("wh_gone", 1)).outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
    }

    @Test
    @DisplayName("invalid configuration names the key")
    void invalidConfiguration() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebhookSettings.from(dev.notify.api.spi.Config.of(
                Map.of("allowed-cidrs", "10.0.0.0/99")))).hasMessageContaining("allowed-cidrs");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebhookSettings.from(dev.notify.api.spi.Config.of(
                Map.of("request-timeout", "0s")))).hasMessageContaining("request-timeout");
    }
}
