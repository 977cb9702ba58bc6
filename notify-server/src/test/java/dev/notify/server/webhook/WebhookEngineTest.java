package dev.notify.server.webhook;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.NotificationStore;
import dev.notify.core.NotificationService;
import dev.notify.core.RetryPolicy;
import dev.notify.core.ServiceConfig;
import dev.notify.store.jdbc.JdbcNotificationStore;
import dev.notify.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook channel driven by the real engine over the JDBC store (H2 files), on a clock the
 * test moves: retry schedule, Retry-After, dead letters, replay and a restart between attempts.
 */
class WebhookEngineTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final RetryPolicy NO_JITTER = new RetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.0);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private Receiver receiver(Receiver.Answer... answers) {
        Receiver r = Receiver.start(answers);
        closing.add(r);
        return r;
    }

    private NotificationStore store() {
        return JdbcNotificationStore.openH2(dir);
    }

    private NotificationService service(NotificationStore store) {
        ServiceConfig config = ServiceConfig.builder().clock(clock).retryPolicy(NO_JITTER).pollInterval(Duration.ofMillis(20))
                .config(Config.of(Map.of("channels.webhook.allow-private-networks", "true",
                        "channels.webhook.request-timeout", "500ms", "channels.webhook.connect-timeout", "500ms")))
                .build();
        return NotificationService.builder().config(config).store(store).discoverChannels(Set.of("webhook")).build();
    }

    private static String publish(NotificationService s) {
        return s.notify(Notification.builder().topic("task:abc123").event("task.progress").data(Map.of("percent", 50))
                .channel("webhook").build());
    }

    private void register(NotificationStore store, String url) {
        Instant now = clock.instant();
        store.webhookEndpoints().create(new WebhookEndpoint("wh_1", url, SECRET, Optional.empty(), Optional.empty(),
                Set.of("task:*"), Set.of(), "", true, 0, Optional.empty(), now, now));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static DeliveryRecord delivery(NotificationService s, String id) {
        return s.deliveries(id).get(0);
    }

    @Test
    @DisplayName("500, hang, reset, 429 with Retry-After, then 200: one attempt each, on the backoff schedule and Retry-After")
    void retriesOnScheduleUntilDelivered() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(500, "boom"), Receiver.Answer.hanging(),
                Receiver.Answer.of(502), Receiver.Answer.withHeader(429, "Retry-After", "30"), Receiver.Answer.of(200, "ok"));
        NotificationStore store = store();
        closing.add(store);
        register(store, r.url("/hook"));
        NotificationService s = service(store);
        closing.add(s);
        Instant t0 = clock.instant();
        String id = publish(s);

        await("attempt 1", () -> delivery(s, id).attempts() == 1);
        assertThat(delivery(s, id).status()).isEqualTo(DeliveryStatus.RETRYING);
        assertThat(delivery(s, id).nextAttemptAt()).hasValue(t0.plusSeconds(1));

        clock.advance(Duration.ofSeconds(1)); // attempt 2 hangs until the 500 ms request timeout
        await("attempt 2", () -> delivery(s, id).attempts() == 2);
        assertThat(delivery(s, id).nextAttemptAt()).hasValue(t0.plusSeconds(1 + 2));
        assertThat(delivery(s, id).lastError()).hasValueSatisfying(e -> assertThat(e).contains("timed out"));

        clock.advance(Duration.ofSeconds(2));
        await("attempt 3", () -> delivery(s, id).attempts() == 3);
        assertThat(delivery(s, id).nextAttemptAt()).hasValue(t0.plusSeconds(3 + 4));

        clock.advance(Duration.ofSeconds(4)); // 429 with Retry-After 30 s: later than the 8 s backoff, so it wins
        await("attempt 4", () -> delivery(s, id).attempts() == 4);
        assertThat(delivery(s, id).nextAttemptAt()).hasValue(t0.plusSeconds(7 + 30));

        clock.advance(Duration.ofSeconds(29));
        Thread.sleep(200);
        assertThat(delivery(s, id).attempts()).as("not before Retry-After").isEqualTo(4);
        clock.advance(Duration.ofSeconds(1));
        await("delivered", () -> delivery(s, id).status() == DeliveryStatus.SENT);

        List<DeliveryAttempt> attempts = s.attempts(delivery(s, id).id());
        assertThat(attempts).extracting(a -> a.statusCode().isPresent() ? a.statusCode().getAsInt() : 0)
                .containsExactly(500, 0, 502, 429, 200);
        assertThat(attempts.get(0).response()).hasValue("boom");
        assertThat(r.count()).isEqualTo(5);
        String firstId = r.next().header("webhook-id");
        for (int i = 1; i < 5; i++) {
            assertThat(r.next().header("webhook-id")).as("webhook-id of attempt %d", i + 1).isEqualTo(firstId);
        }
    }

    @Test
    @DisplayName("a restart of the service between attempts resumes the persisted schedule")
    void restartResumesTheSchedule() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(503), Receiver.Answer.of(200));
        NotificationStore first = store();
        register(first, r.url("/hook"));
        NotificationService s1 = service(first);
        String id = publish(s1);
        await("attempt 1", () -> delivery(s1, id).attempts() == 1);
        Instant due = delivery(s1, id).nextAttemptAt().orElseThrow();
        s1.close();
        first.close();

        NotificationStore second = store();
        closing.add(second);
        NotificationService s2 = service(second);
        closing.add(s2);
        Thread.sleep(200);
        assertThat(delivery(s2, id).status()).isEqualTo(DeliveryStatus.RETRYING);
        assertThat(delivery(s2, id).nextAttemptAt()).hasValue(due);
        clock.advance(Duration.ofSeconds(1));
        await("delivered after the restart", () -> delivery(s2, id).status() == DeliveryStatus.SENT);
        assertThat(s2.attempts(delivery(s2, id).id())).hasSize(2);
        assertThat(r.count()).isEqualTo(2);
    }

    @Test
    @DisplayName("after the last attempt the delivery is a dead letter; a replay delivers it")
    void deadLetterAndReplay() throws Exception {
        Receiver r = receiver(Receiver.Answer.of(500));
        NotificationStore store = store();
        closing.add(store);
        register(store, r.url("/hook"));
        NotificationService s = service(store);
        closing.add(s);
        String id = publish(s);
        for (int attempt = 1; attempt <= 5; attempt++) {
            int n = attempt;
            await("attempt " + n, () -> delivery(s, id).attempts() == n);
            clock.advance(Duration.ofSeconds(1L << (n - 1))); // exactly the backoff: 1, 2, 4, 8 s
        }
        await("dead letter", () -> delivery(s, id).status() == DeliveryStatus.FAILED);
        DeliveryRecord dead = delivery(s, id);
        assertThat(s.deadLetters(Optional.empty(), 10).items()).extracting(DeliveryRecord::id).contains(dead.id());

        r.script(Receiver.Answer.of(200));
        assertThat(s.replay(dead.id())).isPresent();
        await("replayed", () -> delivery(s, id).status() == DeliveryStatus.SENT);
        assertThat(s.attempts(dead.id())).hasSize(6).last().extracting(DeliveryAttempt::outcome).isEqualTo(DeliveryResult.Outcome.SENT);
    }

    @Test
    @DisplayName("a hanging endpoint does not hold up a healthy one through the engine, and its waiting deliveries keep their attempts")
    void hangingEndpointDoesNotDelayOthers() throws Exception {
        Receiver hanging = receiver(Receiver.Answer.hanging());
        Receiver healthy = receiver(Receiver.Answer.of(200));
        NotificationStore store = store();
        closing.add(store);
        Instant now = Instant.now();
        store.webhookEndpoints().create(new WebhookEndpoint("wh_slow", hanging.url("/hook"), SECRET, Optional.empty(),
                Optional.empty(), Set.of(), Set.of(), "", true, 0, Optional.empty(), now, now));
        store.webhookEndpoints().create(new WebhookEndpoint("wh_ok", healthy.url("/hook"), SECRET, Optional.empty(),
                Optional.empty(), Set.of(), Set.of(), "", true, 0, Optional.empty(), now, now));
        // the real clock: a saturated endpoint defers its deliveries by busy-retry-after, which must pass
        ServiceConfig config = ServiceConfig.builder().retryPolicy(NO_JITTER).pollInterval(Duration.ofMillis(20))
                .workers(6).config(Config.of(Map.of("channels.webhook.allow-private-networks", "true",
                        "channels.webhook.request-timeout", "60s", "channels.webhook.max-concurrency-per-endpoint", "2",
                        "channels.webhook.busy-retry-after", "50ms")))
                .build();
        NotificationService s = NotificationService.builder().config(config).store(store).discoverChannels(Set.of("webhook")).build();
        closing.add(s);
        for (int i = 0; i < 20; i++) {
            publish(s);
        }
        await("20 deliveries to the healthy endpoint", () -> healthy.count() >= 20);

        List<DeliveryRecord> slow = store.deliveriesTo("webhook", "wh_slow", Optional.empty(), 100).items();
        assertThat(slow).hasSize(20).allSatisfy(d -> {
            assertThat(d.status()).as("not failed while its endpoint hangs").isIn(DeliveryStatus.PENDING, DeliveryStatus.RETRYING);
            assertThat(d.attempts()).as("waiting for a free slot is not an attempt, and the two open ones have not ended").isZero();
        });
        assertThat(hanging.count()).as("requests the hanging endpoint received: its concurrency limit").isEqualTo(2);
        hanging.close(); // lets the two open attempts fail now instead of after the request timeout
    }
}
