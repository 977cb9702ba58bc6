package dev.notify.server.security;

import dev.notify.server.TestServer;
import dev.notify.server.internal.AccessLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #13 item 4: a stream token opens streams and nothing else, never outlives the JWT it was
 * minted from, is never logged in clear, and a query string that does not decode is the client's error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("A stream token")
class StreamTokenScopeTest {

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start(s -> s.streamTokenTtl(Duration.ofMinutes(10)));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String streamToken(String jwt) {
        HttpResponse<String> minted = server.post("/api/v1/stream-tokens", jwt, "");
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        return (String) server.json(minted).get("token");
    }

    private static void assertRefused(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    void opensThePollEndpoint() {
        String token = streamToken(server.jwt("u-poll"));

        assertThat(server.get("/api/v1/notifications/poll?token=" + token, null).statusCode()).isEqualTo(200);
    }

    @Test
    void readsNoInboxMarksNothingAndDeletesNothing() {
        String user = "u-inbox";
        String id = server.publish("{\"recipients\":[\"" + user + "\"],\"title\":\"mine\"}");
        String token = streamToken(server.jwt(user));

        assertRefused(server.get("/api/v1/notifications?token=" + token, null), 403);
        assertRefused(server.get("/api/v1/notifications/stats?token=" + token, null), 403);
        assertRefused(server.get("/api/v1/notifications/" + id + "?token=" + token, null), 403);
        assertRefused(server.patch("/api/v1/notifications/" + id + "?token=" + token, null, "{\"read\":true}"), 403);
        assertRefused(server.post("/api/v1/notifications/read?token=" + token, null, "{\"all\":true}"), 403);
        assertRefused(server.post("/api/v1/notifications/delete?token=" + token, null, "{\"ids\":[\"" + id + "\"]}"), 403);
        assertRefused(server.delete("/api/v1/notifications/" + id + "?token=" + token, null), 403);
        assertRefused(server.post("/api/v1/notifications/poll?token=" + token, null, "{}"), 403);
        // sent as a bearer header it is still a stream token
        assertRefused(server.get("/api/v1/notifications", token), 403);

        Map<String, Object> stats = server.json(server.get("/api/v1/notifications/stats", server.jwt(user)));
        assertThat(stats).containsEntry("unread", new java.math.BigDecimal(1)).containsEntry("total", new java.math.BigDecimal(1));
    }

    @Test
    void expiresNoLaterThanTheJwtItWasMintedFrom() {
        Instant parentExpiry = Instant.now().plusSeconds(20);
        HttpResponse<String> minted = server.post("/api/v1/stream-tokens", server.jwt("u-short", parentExpiry), "");

        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        Map<String, Object> t = server.json(minted);
        assertThat(Instant.parse((String) t.get("expiresAt"))).isBeforeOrEqualTo(parentExpiry);
        assertThat(((Number) t.get("expiresIn")).longValue()).isLessThanOrEqualTo(20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/notifications/poll?token=%zz", "/api/v1/notifications/poll?to%ken=x",
            "/api/v1/notifications/stream?token=%", "/api/v1/notifications?unread=%G1"})
    void aQueryStringThatDoesNotDecodeIs400(String target) throws Exception {
        RawHttp.Answer a = RawHttp.send(server.baseUri(), "GET", target, target.contains("token") ? null : server.jwt("u-bad"), null);

        assertThat(a.status()).as(a.head() + "\n" + a.body()).isEqualTo(400);
        assertThat(a.head().toLowerCase()).contains("content-type: application/problem+json");
        assertThat(a.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"token=SECRET", "%74oken=SECRET", "TOK%45N=SECRET", "a=1&%74%6f%6b%65%6e=SECRET&b=2",
            "access_token=SECRET", "api%5Fkey=SECRET", "token=SECRET%zz", "t%oken=SECRET"})
    void isMaskedInTheAccessLogHoweverItsNameIsSpelled(String query) {
        assertThat(AccessLog.mask(query)).doesNotContain("SECRET");
    }

    @Test
    void theAccessLogKeepsOtherParameters() {
        assertThat(AccessLog.mask("after=42&%74oken=SECRET&topics=task%3A1")).isEqualTo("after=42&%74oken=***&topics=task%3A1");
    }
}
