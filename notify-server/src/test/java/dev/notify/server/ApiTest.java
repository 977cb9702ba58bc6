package dev.notify.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The HTTP API")
class ApiTest {

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start(s -> s.set("templates.welcome.title", "Welcome {{name}}")
                .set("templates.welcome.body", "Hello {{name}}, you have {{count}} tasks"));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static String newUser() {
        return "u-" + UUID.randomUUID();
    }

    private String publishTo(String user, String title) {
        return server.publish("{\"recipients\":[\"" + user + "\"],\"title\":\"" + title + "\",\"event\":\"task.progress\","
                + "\"data\":{\"percent\":50}}");
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detailContains) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(r.body()).contains("\"status\":" + status).contains("\"title\":").contains("\"type\":");
        assertThat(r.body()).containsIgnoringCase(detailContains);
    }

    @Nested
    @DisplayName("publishing")
    class Publishing {

        @Test
        void answers202WithTheIdOnceStored() {
            String user = newUser();
            HttpResponse<String> r = server.post("/api/v1/notifications", server.apiKey(),
                    "{\"recipients\":[\"" + user + "\"],\"topic\":\"task:abc123\",\"event\":\"task.progress\",\"type\":\"success\","
                            + "\"priority\":\"high\",\"title\":\"T\",\"body\":\"B\",\"data\":{\"task_id\":\"abc123\",\"percent\":50},"
                            + "\"metadata\":{\"source\":\"test\"},\"expiresAt\":\"2999-01-01T00:00:00Z\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            Map<String, Object> body = server.json(r);
            assertThat(body).containsEntry("duplicate", false).containsKey("id");
            assertThat(server.server().service().find((String) body.get("id"))).isPresent();
            Map<String, Object> item = TestServer.list(server.json(server.get("/api/v1/notifications", server.jwt(user))), "notifications").get(0);
            assertThat(item).containsEntry("id", body.get("id")).containsEntry("type", "success").containsEntry("priority", "high")
                    .containsEntry("topic", "task:abc123").containsEntry("event", "task.progress").containsEntry("read", false);
            assertThat(map(item.get("data"))).containsEntry("percent", new BigDecimal(50));
        }

        @Test
        void theSameIdempotencyKeyReturnsTheFirstIdAsDuplicate() {
            String body = "{\"recipients\":[\"" + newUser() + "\"],\"title\":\"once\",\"idempotencyKey\":\"k-" + UUID.randomUUID() + "\"}";
            Map<String, Object> first = server.json(server.post("/api/v1/notifications", server.apiKey(), body));
            HttpResponse<String> again = server.post("/api/v1/notifications", server.apiKey(), body);
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(server.json(again)).containsEntry("id", first.get("id")).containsEntry("duplicate", true);
        }

        @Test
        void batchesAreStoredTogetherOrNotAtAll() {
            String user = newUser();
            HttpResponse<String> ok = server.post("/api/v1/notifications/batch", server.apiKey(),
                    "{\"notifications\":[{\"recipients\":[\"" + user + "\"],\"title\":\"a\"},{\"recipients\":[\"" + user + "\"],\"title\":\"b\"}]}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
            assertThat(TestServer.list(server.json(ok), "notifications")).hasSize(2);

            String other = newUser();
            HttpResponse<String> bad = server.post("/api/v1/notifications/batch", server.apiKey(),
                    "[{\"recipients\":[\"" + other + "\"],\"title\":\"a\"},{\"recipients\":[\"" + other + "\"],\"priority\":\"urgent\"}]");
            assertProblem(bad, 400, "notifications[1]");
            assertThat(server.json(server.get("/api/v1/notifications/stats", server.jwt(other)))).containsEntry("total", new BigDecimal(0));
        }

        @Test
        void rendersTemplates() {
            String user = newUser();
            server.publish("{\"recipients\":[\"" + user + "\"],\"template\":\"welcome\",\"data\":{\"name\":\"Ada\",\"count\":3}}");
            Map<String, Object> item = TestServer.list(server.json(server.get("/api/v1/notifications", server.jwt(user))), "notifications").get(0);
            assertThat(item).containsEntry("title", "Welcome Ada").containsEntry("body", "Hello Ada, you have 3 tasks");
        }
    }

    @Nested
    @DisplayName("the inbox")
    class Inbox {

        @Test
        void listsNewestFirstWithACursor() {
            String user = newUser();
            String a = publishTo(user, "a");
            String b = publishTo(user, "b");
            String c = publishTo(user, "c");
            Map<String, Object> page1 = server.json(server.get("/api/v1/notifications?limit=2", server.jwt(user)));
            assertThat(TestServer.list(page1, "notifications")).extracting(m -> m.get("id")).containsExactly(c, b);
            assertThat(page1.get("nextCursor")).isNotNull();
            Map<String, Object> page2 = server.json(server.get("/api/v1/notifications?limit=2&cursor=" + page1.get("nextCursor"), server.jwt(user)));
            assertThat(TestServer.list(page2, "notifications")).extracting(m -> m.get("id")).containsExactly(a);
        }

        @Test
        void marksReadAndUnreadAndCountsThem() {
            String user = newUser();
            String jwt = server.jwt(user);
            String a = publishTo(user, "a");
            publishTo(user, "b");
            HttpResponse<String> patch = server.patch("/api/v1/notifications/" + a, jwt, "{\"read\":true}");
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(200);
            assertThat(server.json(patch)).containsEntry("changed", true);
            assertThat(server.json(server.get("/api/v1/notifications/stats", jwt)))
                    .containsEntry("total", new BigDecimal(2)).containsEntry("unread", new BigDecimal(1)).containsEntry("read", new BigDecimal(1));
            assertThat(TestServer.list(server.json(server.get("/api/v1/notifications?unread=true", jwt)), "notifications"))
                    .extracting(m -> m.get("id")).doesNotContain(a).hasSize(1);
            server.patch("/api/v1/notifications/" + a, jwt, "{\"read\":false}");
            assertThat(server.json(server.get("/api/v1/notifications/stats", jwt))).containsEntry("unread", new BigDecimal(2));
        }

        @Test
        void bulkMarksReadByIdsOrAll() {
            String user = newUser();
            String jwt = server.jwt(user);
            String a = publishTo(user, "a");
            publishTo(user, "b");
            publishTo(user, "c");
            assertThat(server.json(server.post("/api/v1/notifications/read", jwt, "{\"ids\":[\"" + a + "\"]}"))).containsEntry("updated", new BigDecimal(1));
            assertThat(server.json(server.post("/api/v1/notifications/read", jwt, "{\"all\":true}"))).containsEntry("updated", new BigDecimal(2));
            assertThat(server.json(server.get("/api/v1/notifications/stats", jwt))).containsEntry("unread", new BigDecimal(0));
        }

        @Test
        void deletesOneOrMany() {
            String user = newUser();
            String jwt = server.jwt(user);
            String a = publishTo(user, "a");
            String b = publishTo(user, "b");
            String c = publishTo(user, "c");
            assertThat(server.delete("/api/v1/notifications/" + a, jwt).statusCode()).isEqualTo(204);
            assertProblem(server.delete("/api/v1/notifications/" + a, jwt), 404, a);
            assertThat(server.json(server.post("/api/v1/notifications/delete", jwt, "{\"ids\":[\"" + b + "\",\"" + c + "\"]}")))
                    .containsEntry("deleted", new BigDecimal(2));
            assertThat(server.json(server.get("/api/v1/notifications/stats", jwt))).containsEntry("total", new BigDecimal(0));
        }

        @Test
        void anotherUsersIdsAreNotFound() {
            String owner = newUser();
            String id = publishTo(owner, "mine");
            String intruder = server.jwt(newUser());
            assertProblem(server.patch("/api/v1/notifications/" + id, intruder, "{\"read\":true}"), 404, "no notification");
            assertProblem(server.delete("/api/v1/notifications/" + id, intruder), 404, "no notification");
            assertProblem(server.get("/api/v1/notifications/" + id, intruder), 404, "no notification");
            assertThat(server.json(server.post("/api/v1/notifications/read", intruder, "{\"ids\":[\"" + id + "\"]}"))).containsEntry("updated", new BigDecimal(0));
            assertThat(server.json(server.get("/api/v1/notifications/stats", server.jwt(owner)))).containsEntry("unread", new BigDecimal(1));
            assertProblem(server.patch("/api/v1/notifications/does-not-exist", server.jwt(owner), "{\"read\":true}"), 404, "does-not-exist");
        }
    }

    @Nested
    @DisplayName("authentication and roles")
    class Auth {

        @Test
        void missingCredentialsAre401WithAChallenge() {
            HttpResponse<String> r = server.get("/api/v1/notifications", null);
            assertProblem(r, 401, "no credentials");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"notify\"");
            assertProblem(server.post("/api/v1/notifications", null, "{}"), 401, "no credentials");
        }

        @Test
        void aWronglySignedTokenIs401() {
            String forged = TestServer.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("u1")
                    .expirationTime(java.util.Date.from(Instant.now().plusSeconds(600))).build(), "another-secret-0123456789abcdef0123456789");
            assertProblem(server.get("/api/v1/notifications", forged), 401, "signature");
        }

        @Test
        void anExpiredTokenIs401() {
            assertProblem(server.get("/api/v1/notifications", server.jwt("u1", Instant.now().minusSeconds(3600))), 401, "expired");
        }

        @Test
        void aTokenWithoutExpiryIs401() {
            String noExp = TestServer.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("u1").build(), TestServer.JWT_SECRET);
            assertProblem(server.get("/api/v1/notifications", noExp), 401, "exp");
        }

        @Test
        void garbageCredentialsAre401() {
            assertProblem(server.get("/api/v1/notifications", "not-a-key"), 401, "neither");
            assertProblem(server.send(server.request("/api/v1/notifications", null).header("Authorization", "Basic dTpw").GET().build()),
                    401, "Bearer");
        }

        @Test
        void aUserCannotPublishAndAPublisherCannotReadInboxes() {
            assertProblem(server.post("/api/v1/notifications", server.jwt("u1"), "{\"recipients\":[\"u1\"]}"), 403, "publishers");
            assertProblem(server.get("/api/v1/dead-letters", server.jwt("u1")), 403, "publishers");
            assertProblem(server.get("/api/v1/notifications/stream/connections", server.jwt("u1")), 403, "publishers");
            assertProblem(server.get("/api/v1/notifications", server.apiKey()), 403, "users");
            assertProblem(server.post("/api/v1/stream-tokens", server.apiKey(), ""), 403, "users");
        }

        @Test
        void streamTokensWorkAsQueryParameterOnly() {
            String user = newUser();
            publishTo(user, "x");
            HttpResponse<String> minted = server.post("/api/v1/stream-tokens", server.jwt(user, "task:*"), "");
            assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
            Map<String, Object> t = server.json(minted);
            assertThat(t).containsKeys("token", "expiresAt", "expiresIn");
            String token = (String) t.get("token");
            HttpResponse<String> poll = server.get("/api/v1/notifications/poll?token=" + token, null);
            assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
            assertThat(TestServer.list(server.json(poll), "events")).hasSize(1);
            // a stream token opens streams only (issue #13 item 4): the inbox wants the JWT
            assertProblem(server.get("/api/v1/notifications/stats?token=" + token, null), 403, "stream token");
            assertProblem(server.get("/api/v1/notifications/poll?token=" + server.jwt(user), null), 401, "stream tokens");
            assertProblem(server.post("/api/v1/stream-tokens?token=" + token, null, ""), 403, "stream token");
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        private HttpResponse<String> publish(String json) {
            return server.post("/api/v1/notifications", server.apiKey(), json);
        }

        @Test
        void malformedJson() {
            assertProblem(publish("{\"recipients\":[\"u1\"],"), 400, "not a valid JSON object");
            assertProblem(publish("[1,2]"), 400, "JSON object");
            assertProblem(publish(""), 400, "empty");
        }

        @Test
        void wrongFieldTypes() {
            assertProblem(publish("{\"recipients\":\"u1\"}"), 400, "'recipients' must be an array of strings, got a string");
            assertProblem(publish("{\"recipients\":[\"u1\"],\"data\":[1]}"), 400, "'data' must be an object, got an array");
            assertProblem(publish("{\"recipients\":[\"u1\"],\"title\":5}"), 400, "'title' must be a string, got a number");
            assertProblem(publish("{\"recipients\":[\"u1\"],\"scheduledAt\":\"tomorrow\"}"), 400, "ISO-8601");
        }

        @Test
        void unknownFieldsAreRefused() {
            assertProblem(publish("{\"recipient\":[\"u1\"]}"), 400, "unknown field 'recipient'");
        }

        @Test
        void noAudience() {
            assertProblem(publish("{\"title\":\"nobody\"}"), 400, "recipients and/or a topic");
        }

        @Test
        void unknownChannel() {
            HttpResponse<String> r = publish("{\"recipients\":[\"u1\"],\"channels\":[\"carrier-pigeon\"]}");
            assertProblem(r, 400, "unknown channel 'carrier-pigeon'");
            assertThat(r.body()).contains("Unknown Channel");
        }

        @Test
        void badPriorityAndType() {
            assertProblem(publish("{\"recipients\":[\"u1\"],\"priority\":\"urgent\"}"), 400, "expected one of low, normal, high, critical");
            assertProblem(publish("{\"recipients\":[\"u1\"],\"type\":\"fatal\"}"), 400, "expected one of info, warning, error, success");
        }

        @Test
        void templateErrors() {
            HttpResponse<String> unknown = publish("{\"recipients\":[\"u1\"],\"template\":\"nope\"}");
            assertProblem(unknown, 400, "unknown template 'nope'");
            assertThat(unknown.body()).contains("Template Error");
            assertProblem(publish("{\"recipients\":[\"u1\"],\"template\":\"welcome\",\"data\":{\"name\":\"Ada\"}}"), 400, "count");
        }

        @Test
        void newlinesInEventNamesCannotInjectSseFrames() {
            assertProblem(publish("{\"recipients\":[\"u1\"],\"event\":\"x\\ndata: evil\"}"), 400, "not a dotted name");
        }

        @Test
        void oversizedBodiesAre413() {
            String big = "{\"recipients\":[\"u1\"],\"body\":\"" + "x".repeat((int) ServerSettings.DEFAULT_MAX_BODY_BYTES) + "\"}";
            assertProblem(publish(big), 413, "larger than 1048576 bytes");
            // without a Content-Length (chunked), the limit holds while reading
            HttpRequest chunked = server.request("/api/v1/notifications", server.apiKey())
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes()))).build();
            assertProblem(server.send(chunked), 413, "larger than");
        }

        @Test
        void unknownPathsAndMethods() {
            assertProblem(server.get("/api/v1/nothing-here", server.jwt("u1")), 404, "no endpoint");
            assertProblem(server.send(server.request("/api/v1/notifications/stats", server.jwt("u1"))
                    .method("PUT", HttpRequest.BodyPublishers.noBody()).build()), 405, "GET");
        }

        @Test
        void badQueryParameters() {
            assertProblem(server.get("/api/v1/notifications?limit=0", server.jwt("u1")), 400, "limit");
            assertProblem(server.get("/api/v1/notifications?unread=maybe", server.jwt("u1")), 400, "unread");
        }
    }

    @Nested
    @DisplayName("administration and operations")
    class Ops {

        @Test
        void listsLiveConnections() {
            Map<String, Object> c = server.json(server.get("/api/v1/notifications/stream/connections", server.apiKey()));
            assertThat(c).containsKeys("total", "perUser", "perChannel");
        }

        @Test
        void listsDeadLettersAndRefusesUnknownReplays() {
            HttpResponse<String> r = server.get("/api/v1/dead-letters", server.apiKey());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(server.json(r)).containsKey("deadLetters");
            assertProblem(server.post("/api/v1/dead-letters/999999/replay", server.apiKey(), ""), 404, "no dead letter");
        }

        @Test
        void exportsPrometheusMetrics() {
            publishTo(newUser(), "counted");
            HttpResponse<String> r = server.get("/metrics", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
            assertThat(r.body()).contains("notify_published").contains("notify_queue_depth");
        }

        @Test
        void reportsHealthWithADatabaseCheck() {
            HttpResponse<String> r = server.get("/health", null);
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, Object> h = server.json(r);
            assertThat(h).containsEntry("status", "UP").containsEntry("live", true).containsEntry("ready", true);
            assertThat((String) map(h.get("checks")).get("database")).startsWith("UP");
            assertThat(server.get("/health/live", null).statusCode()).isEqualTo(200);
            assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(200);
        }

        @Test
        void listsTheBundledChannels() {
            assertThat(server.server().service().channelNames()).contains("sse", "poll");
        }
    }

    @Test
    void aClosedServiceAnswers503() {
        try (TestServer other = TestServer.start()) {
            other.server().service().close(java.time.Duration.ZERO);
            HttpResponse<String> r = other.post("/api/v1/notifications", other.apiKey(), "{\"recipients\":[\"u1\"]}");
            assertProblem(r, 503, "shutting down");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(other.get("/health/ready", null).statusCode()).isEqualTo(503);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static List<String> ids(Map<String, Object> page) {
        return TestServer.list(page, "notifications").stream().map(m -> (String) m.get("id")).toList();
    }
}
