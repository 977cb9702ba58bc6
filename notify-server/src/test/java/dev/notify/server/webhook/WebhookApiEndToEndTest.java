package dev.notify.server.webhook;

import com.standardwebhooks.Webhook;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook endpoint API and deliveries through the real server over loopback HTTP. */
class WebhookApiEndToEndTest {

    private static final String HOOKS = "/api/v1/webhooks";
    private static TestServer server;
    private static TestServer strict;

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.webhookAllowPrivateNetworks(true));
        strict = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (strict != null) {
            strict.close();
        }
    }

    private static Map<String, Object> register(TestServer on, String body) {
        HttpResponse<String> r = on.post(HOOKS, on.apiKey(), body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return on.json(r);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    @DisplayName("register answers 201 with the id and, once, a whsec_ secret of 32 random bytes; list and get never show it")
    void registerListGet() {
        try (Receiver r = Receiver.start(Receiver.Answer.of(204))) {
            Map<String, Object> created = register(server, "{\"url\":\"" + r.url("/hook") + "\",\"events\":[\"task.*\"],"
                    + "\"topics\":[\"task:abc123\"],\"description\":\"CI\"}");
            String id = (String) created.get("id");
            String secret = (String) created.get("secret");
            assertThat(secret).startsWith("whsec_");
            assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
            assertThat(created).containsEntry("events", List.of("task.*")).containsEntry("description", "CI");

            HttpResponse<String> list = server.get(HOOKS, server.apiKey());
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains(id).doesNotContain(secret).doesNotContain("whsec_");
            HttpResponse<String> one = server.get(HOOKS + "/" + id, server.apiKey());
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).doesNotContain("whsec_");
            assertThat(server.delete(HOOKS + "/" + id, server.apiKey()).statusCode()).isEqualTo(204);
            assertThat(server.get(HOOKS + "/" + id, server.apiKey()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    @DisplayName("update, disable/enable and secret rotation: both secrets sign during the window")
    void updateDisableRotate() throws Exception {
        try (Receiver r = Receiver.start(Receiver.Answer.of(200))) {
            Map<String, Object> created = register(server, "{\"url\":\"" + r.url("/old") + "\",\"topics\":[\"rot:*\"]}");
            String id = (String) created.get("id");
            String oldSecret = (String) created.get("secret");
            HttpResponse<String> patched = server.patch(HOOKS + "/" + id, server.apiKey(),
                    "{\"url\":\"" + r.url("/new") + "\",\"description\":\"moved\"}");
            assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
            assertThat(server.json(patched)).containsEntry("description", "moved");

            assertThat(server.json(server.post(HOOKS + "/" + id + "/disable", server.apiKey(), ""))).containsEntry("enabled", false);
            assertThat(server.json(server.post(HOOKS + "/" + id + "/enable", server.apiKey(), ""))).containsEntry("enabled", true);

            HttpResponse<String> rotated = server.post(HOOKS + "/" + id + "/rotate-secret", server.apiKey(), "");
            assertThat(rotated.statusCode()).isEqualTo(200);
            String newSecret = (String) server.json(rotated).get("secret");
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);

            Thread.sleep(1100); // the endpoint cache of targets lives 1 s
            server.publish("{\"topic\":\"rot:1\",\"event\":\"task.completed\",\"channels\":[\"webhook\"],\"data\":{\"ok\":true}}");
            Receiver.Received got = r.next();
            assertThat(got.path()).isEqualTo("/new");
            Map<String, List<String>> headers = new HashMap<>();
            got.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            new Webhook(oldSecret).verify(got.body(), headers);
            new Webhook(newSecret).verify(got.body(), headers);
            server.delete(HOOKS + "/" + id, server.apiKey());
        }
    }

    @Test
    @DisplayName("a delivery arrives signed; the attempts log lists it with status code and response")
    void deliveryAndAttemptsLog() throws Exception {
        try (Receiver r = Receiver.start(Receiver.Answer.of(200, "received"))) {
            Map<String, Object> created = register(server, "{\"url\":\"" + r.url("/hook") + "\",\"topics\":[\"log:*\"]}");
            String id = (String) created.get("id");
            String secret = (String) created.get("secret");
            Thread.sleep(1100);
            server.publish("{\"topic\":\"log:1\",\"event\":\"task.progress\",\"channels\":[\"webhook\"],\"data\":{\"percent\":50}}");
            Receiver.Received got = r.next();
            Map<String, List<String>> headers = new HashMap<>();
            got.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            new Webhook(secret).verify(got.body(), headers);
            assertThat(got.header("X-Event-Type")).isEqualTo("task.progress");

            await("the attempt in the log", () -> server.get(HOOKS + "/" + id + "/deliveries", server.apiKey()).body().contains("\"sent\""));
            Map<String, Object> log = server.json(server.get(HOOKS + "/" + id + "/deliveries", server.apiKey()));
            Map<String, Object> d = TestServer.list(log, "deliveries").get(0);
            assertThat(d).containsEntry("status", "sent");
            @SuppressWarnings("unchecked")
            Map<String, Object> attempt = ((List<Map<String, Object>>) d.get("attempts")).get(0);
            assertThat(attempt).containsEntry("statusCode", new BigDecimal(200)).containsEntry("response", "received");
            server.delete(HOOKS + "/" + id, server.apiKey());
        }
    }

    @Test
    @DisplayName("410 disables the endpoint and dead-letters the delivery; enable + replay through the API delivers it")
    void goneDeadLetterReplay() throws Exception {
        try (Receiver r = Receiver.start(Receiver.Answer.of(410))) {
            String id = (String) register(server, "{\"url\":\"" + r.url("/hook") + "\",\"topics\":[\"gone:*\"]}").get("id");
            Thread.sleep(1100);
            server.publish("{\"topic\":\"gone:1\",\"event\":\"task.failed\",\"channels\":[\"webhook\"]}");
            await("disabled", () -> server.get(HOOKS + "/" + id, server.apiKey()).body().contains("\"enabled\":false"));
            await("a dead letter", () -> server.get("/api/v1/dead-letters", server.apiKey()).body().contains(id));
            Map<String, Object> dead = TestServer.list(server.json(server.get("/api/v1/dead-letters", server.apiKey())), "deadLetters")
                    .stream().filter(m -> id.equals(m.get("target"))).findFirst().orElseThrow();

            r.script(Receiver.Answer.of(200));
            server.post(HOOKS + "/" + id + "/enable", server.apiKey(), "");
            HttpResponse<String> replay = server.post("/api/v1/dead-letters/" + dead.get("id") + "/replay", server.apiKey(), "");
            assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
            await("delivered after replay", () -> server.get(HOOKS + "/" + id + "/deliveries", server.apiKey()).body().contains("\"sent\""));
            assertThat(r.count()).isEqualTo(2);
            server.delete(HOOKS + "/" + id, server.apiKey());
        }
    }

    @Test
    @DisplayName("without --webhook-allow-private-networks loopback, private and metadata URLs are refused with problem+json")
    void refusesPrivateAddresses() {
        for (String url : List.of("http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/", "http://2130706433/",
                "http://0177.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::ffff:127.0.0.1]/",
                "ftp://example.com/")) {
            HttpResponse<String> r = strict.post(HOOKS, strict.apiKey(), "{\"url\":\"" + url + "\"}");
            assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(r.body()).contains("refused");
        }
        HttpResponse<String> metadata = server.post(HOOKS, server.apiKey(), "{\"url\":\"http://169.254.169.254/\"}");
        assertThat(metadata.statusCode()).as("metadata stays refused with the flag").isEqualTo(400);
    }

    @Test
    @DisplayName("users get 403, bad bodies 400, unknown ids 404, all as problem+json")
    void badRequests() {
        assertThat(server.get(HOOKS, server.jwt("u1")).statusCode()).isEqualTo(403);
        assertThat(server.get(HOOKS, null).statusCode()).isEqualTo(401);
        for (String body : List.of("{", "[]", "{\"url\":42}", "{\"url\":\"https://example.com\",\"events\":\"task.*\"}",
                "{\"url\":\"https://example.com\",\"colour\":\"red\"}", "{\"url\":\"https://example.com\",\"events\":[\"a*b\"]}",
                // PostgreSQL keeps no NUL in text: refused for every store, not a database failure on one
                "{\"url\":\"https://example.com\",\"description\":\"a\\u0000b\"}")) {
            HttpResponse<String> r = server.post(HOOKS, server.apiKey(), body);
            assertThat(r.statusCode()).as(body + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        }
        assertThat(server.get(HOOKS + "/wh_nope", server.apiKey()).statusCode()).isEqualTo(404);
        assertThat(server.post(HOOKS, server.apiKey(), "{\"url\":\"https://example.com/" + "x".repeat(70_000) + "\"}").statusCode())
                .isEqualTo(413);
    }
}
