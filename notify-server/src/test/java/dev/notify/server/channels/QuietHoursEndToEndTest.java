package dev.notify.server.channels;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quiet hours over HTTP with a real, short window (the server runs on the system clock): an SSE
 * client connected during them receives the held event right after they end, and nobody replays it
 * before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Quiet hours, end to end")
class QuietHoursEndToEndTest {

    private static final String STREAM = "/api/v1/notifications/stream";

    private TestServer server;
    private HttpClient http;

    @BeforeAll
    void start() {
        // deliveries due (the held live event among them) are claimed every 100 ms instead of every second
        server = TestServer.start(b -> b.config(Map.of("cluster.claim-interval", "100ms")));
        http = SseClient.http();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private List<Map<String, Object>> poll(String jwt) {
        return TestServer.list(server.json(server.get("/api/v1/notifications/poll?after=0", jwt)), "events");
    }

    @Test
    void anSseClientConnectedDuringQuietHoursReceivesTheHeldEventRightAfterTheyEndAndNoReplayHasItBefore() {
        String user = "u-" + UUID.randomUUID();
        String jwt = server.jwt(user);
        // quiet hours in UTC that began a minute ago and end in 7 or 8 seconds, room for a busy machine
        // (whole seconds: the JSON shape is local time)
        Instant end = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
        LocalTime from = LocalTime.ofInstant(end.minusSeconds(68), ZoneOffset.UTC);
        LocalTime to = LocalTime.ofInstant(end, ZoneOffset.UTC);
        HttpResponse<String> saved = server.send(server.request("/api/v1/preferences", jwt).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"quietHours\":{\"start\":\"" + from + "\",\"end\":\"" + to
                        + "\",\"timeZone\":\"UTC\"}}")).build());
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);

        try (SseClient sse = SseClient.connect(http, server.uri(STREAM), jwt, null)) {
            assertThat(sse.status()).isEqualTo(200);
            sse.greeting();
            String id = server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.completed\",\"title\":\"Done\"}");

            assertThat(poll(jwt)).as("no replay during the quiet hours").isEmpty();
            try (SseClient late = SseClient.connect(http, server.uri(STREAM), jwt, "0")) {
                List<SseClient.Frame> frames = new java.util.ArrayList<>(late.greeting());
                for (SseClient.Frame f = late.poll(Duration.ofMillis(300)); f != null; f = late.poll(Duration.ofMillis(300))) {
                    frames.add(f);
                }
                assertThat(frames).as("a client resuming during them replays nothing of it").noneMatch(f -> "task.completed".equals(f.event()));
            }
            DeliveryRecord held = server.server().service().deliveries(id).stream().filter(d -> d.target().equals(user))
                    .filter(d -> d.status() == DeliveryStatus.PENDING).findFirst().orElseThrow();
            assertThat(held.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("held by preference: quiet hours until " + end));

            SseClient.Frame event = sse.nextEvent("task.completed");
            Instant received = Instant.now();

            assertThat(received).as("not before the end").isAfterOrEqualTo(end);
            assertThat(Duration.between(end, received)).as("right after the end").isLessThan(Duration.ofSeconds(3));
            assertThat(event.data()).contains(id);
            assertThat(poll(jwt)).as("replayed from then on").extracting(e -> e.get("notification_id")).containsExactly(id);
            assertThat(server.json(server.get("/api/v1/notifications/stats", jwt))).containsEntry("total", new java.math.BigDecimal(1));
        }
    }
}
