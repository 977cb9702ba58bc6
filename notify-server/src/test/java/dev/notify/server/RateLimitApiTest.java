package dev.notify.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The rate limits through the HTTP API, with limits low enough to reach in a test (the defaults never are). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Rate limits through the HTTP API")
class RateLimitApiTest {

    private TestServer server;

    @BeforeAll
    void start() {
        // publish: 0.01/s so nothing refills during the test; inbox 3 calls; stream connects 2
        server = TestServer.start(s -> s.rateLimits(new RateLimitSettings(new RateLimitSettings.Limit(0.01, 5),
                new RateLimitSettings.Limit(0.01, 2), new RateLimitSettings.Limit(0.01, 3))));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static void assertTooManyRequests(HttpResponse<String> r, String policy) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(r.body()).contains("\"status\":429");
        assertThat(r.headers().firstValue("Retry-After")).get().satisfies(v -> assertThat(Long.parseLong(v)).isPositive());
        assertThat(r.headers().firstValue("RateLimit-Policy")).contains("\"" + policy + "\";q=" + switch (policy) {
            case "publish" -> "5;w=500";
            case "stream-connect" -> "2;w=200";
            default -> "3;w=300";
        });
        assertThat(r.headers().firstValue("RateLimit")).get().asString().startsWith("\"" + policy + "\";r=");
    }

    @Test
    void publishingCountsEachNotificationOfABatchAndAnswers429WithTheHeadersPastTheLimit() {
        String user = "u-" + UUID.randomUUID();
        String one = "{\"recipients\":[\"" + user + "\"],\"title\":\"x\"}";
        HttpResponse<String> first = server.post("/api/v1/notifications", server.apiKey(), one);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("RateLimit")).contains("\"publish\";r=4;t=100");
        assertThat(first.headers().firstValue("RateLimit-Policy")).contains("\"publish\";q=5;w=500");

        HttpResponse<String> batch = server.post("/api/v1/notifications/batch", server.apiKey(),
                "{\"notifications\":[" + one + "," + one + "," + one + "]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(202);
        assertThat(batch.headers().firstValue("RateLimit")).get().asString().startsWith("\"publish\";r=1;");

        HttpResponse<String> tooBig = server.post("/api/v1/notifications/batch", server.apiKey(),
                "{\"notifications\":[" + one + "," + one + "]}");
        assertTooManyRequests(tooBig, "publish");
        assertThat(tooBig.body()).contains("a batch of 2 notifications");
        assertThat(server.json(server.get("/api/v1/notifications/stats", server.jwt(user)))).containsEntry("total", new java.math.BigDecimal(4));

        HttpResponse<String> metrics = server.get("/metrics", null);
        assertThat(metrics.body()).containsPattern("notify_ratelimit_rejected_total\\{[^}]*policy=\"publish\"[^}]*} [1-9]");
    }

    @Test
    void inboxCallsAreLimitedPerUser() {
        String alice = server.jwt("alice-" + UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = server.get("/api/v1/notifications/stats", alice);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("RateLimit")).get().asString().startsWith("\"inbox\";r=" + (2 - i) + ";");
        }

        assertTooManyRequests(server.get("/api/v1/notifications", alice), "inbox");
        assertThat(server.get("/api/v1/notifications", server.jwt("bob-" + UUID.randomUUID())).statusCode())
                .as("another user has a bucket of their own").isEqualTo(200);
    }

    @Test
    void streamConnectsAreLimitedPerUser() {
        String carol = server.jwt("carol-" + UUID.randomUUID());
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> ok = server.get("/api/v1/notifications/poll?after=0", carol);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.headers().firstValue("RateLimit")).get().asString().startsWith("\"stream-connect\";r=" + (1 - i) + ";");
        }

        assertTooManyRequests(server.get("/api/v1/notifications/poll?after=0", carol), "stream-connect");
    }

    @Test
    void aHeldStreamCarriesNoRateLimitHeadersUntilItIsRefused() throws Exception {
        // an SSE stream's answer headers live as long as the stream, and EventSource cannot read them
        String dave = server.jwt("dave-" + UUID.randomUUID());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest stream = java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/notifications/stream"))
                .header("Authorization", "Bearer " + dave).header("Accept", "text/event-stream").build();
        for (int i = 0; i < 2; i++) {
            HttpResponse<java.io.InputStream> ok = http.send(stream, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("RateLimit")).isEmpty();
            assertThat(ok.headers().firstValue("RateLimit-Policy")).isEmpty();
            ok.body().close();
        }

        HttpResponse<String> refused = http.send(stream, HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("RateLimit")).get().asString().startsWith("\"stream-connect\";r=0;");
        assertThat(refused.headers().firstValue("RateLimit-Policy")).contains("\"stream-connect\";q=2;w=200");
    }
}
