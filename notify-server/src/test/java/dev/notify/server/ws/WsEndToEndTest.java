package dev.notify.server.ws;

import dev.notify.api.spi.JsonCodec;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.notify.server.ws.WsClient.data;
import static dev.notify.server.ws.WsClient.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The WebSocket channel over a real WebSocket (java.net.http) on loopback against the real server (H2 store, Jetty). */
class WsEndToEndTest {

    private static final String WS = "/api/v1/notifications/ws";
    private static final AtomicInteger USERS = new AtomicInteger();

    private static TestServer server;
    private static HttpClient http;
    private static JsonCodec json;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(s -> s.set("channels.ws.max-frame-bytes", "4096"));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        json = server.server().service().json();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String newUser() {
        return "ws-user-" + USERS.incrementAndGet();
    }

    private static URI wsUri(String query) {
        return URI.create("ws://127.0.0.1:" + server.server().port() + WS + (query == null ? "" : "?" + query));
    }

    private static WsClient connect(String jwt, String query) throws Exception {
        return WsClient.connect(http, wsUri(query), jwt, json);
    }

    // connected and stats arrive first on every connection
    private static WsClient open(String jwt, String query) throws Exception {
        WsClient c = connect(jwt, query);
        assertThat(c.next()).containsEntry("type", "connected");
        assertThat(c.next()).containsEntry("type", "stats");
        return c;
    }

    private static String publishTo(String user, String title) {
        return server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.progress\",\"title\":\"" + title + "\"}");
    }

    @Test
    @DisplayName("on open: connected with the client id, then the inbox stats")
    void greetsWithConnectedAndStats() throws Exception {
        String user = newUser();
        publishTo(user, "before");
        try (WsClient ws = connect(server.jwt(user), null)) {
            Map<String, Object> connected = ws.next();
            assertThat(connected).containsEntry("type", "connected").containsKey("timestamp").doesNotContainKey("id");
            assertThat(data(connected)).containsEntry("user_id", user).containsKeys("client_id", "last_id", "resume_after");
            Map<String, Object> stats = ws.next();
            assertThat(stats).containsEntry("type", "stats");
            assertThat(((Number) data(stats).get("total")).intValue()).isEqualTo(1);
            assertThat(((Number) data(stats).get("unread")).intValue()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a published notification arrives as the envelope of DESIGN.md")
    void sendsTheEnvelope() throws Exception {
        String user = newUser();
        try (WsClient ws = open(server.jwt(user, "task:*"), "topics=task:abc123")) {
            String nid = server.publish("{\"topic\":\"task:abc123\",\"event\":\"task.progress\",\"priority\":\"high\","
                    + "\"data\":{\"percent\":50,\"message\":\"Processing...\"}}");
            Map<String, Object> e = ws.nextEvent();
            assertThat(e).containsEntry("type", "task.progress").containsEntry("task_id", "abc123").containsEntry("topic", "task:abc123")
                    .containsEntry("notification_id", nid).containsEntry("priority", "high").containsKeys("id", "timestamp");
            assertThat(id(e)).isPositive();
            assertThat((String) e.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(data(e)).containsEntry("message", "Processing...");
            assertThat(((Number) data(e).get("percent")).intValue()).isEqualTo(50);
        }
    }

    @Test
    @DisplayName("the upgrade without credentials is refused with 401; a bad token too; ?token= works")
    void authenticatesTheUpgrade() throws Exception {
        assertThat(handshakeStatus(null)).isEqualTo(401);
        assertThat(handshakeStatus("not.a.jwt")).isEqualTo(401);
        assertThat(handshakeStatus(server.jwt("u-expired", java.time.Instant.now().minusSeconds(60)))).isEqualTo(401);
        // the API key is a publisher's credential: the stream is for users
        assertThat(handshakeStatus(server.apiKey())).isEqualTo(403);

        String user = newUser();
        HttpResponse<String> minted = server.post("/api/v1/stream-tokens", server.jwt(user), "");
        assertThat(minted.statusCode()).isEqualTo(201);
        String token = (String) server.json(minted).get("token");
        try (WsClient ws = connect(null, "token=" + token)) {
            assertThat(data(ws.next())).containsEntry("user_id", user);
        }
    }

    @Test
    @DisplayName("subscribe and unsubscribe change what arrives; an ungranted topic is an error frame")
    void subscribesWithinTheGrants() throws Exception {
        String user = newUser();
        try (WsClient ws = open(server.jwt(user, "task:*"), null)) {
            ws.send("{\"type\":\"subscribe\",\"topics\":[\"secret:x\"],\"ref\":\"s0\"}");
            Map<String, Object> err = ws.next();
            assertThat(err).containsEntry("type", "error").containsEntry("ref", "s0");
            assertThat((String) data(err).get("reason")).contains("'secret:x' is not granted");

            ws.send("{\"type\":\"subscribe\",\"topics\":[\"task:t1\"],\"ref\":\"s1\"}");
            Map<String, Object> ok = ws.next();
            assertThat(ok).containsEntry("type", "subscribed").containsEntry("ref", "s1");
            assertThat(WsClient.topics(ok)).containsExactly("task:t1");
            server.publish("{\"topic\":\"task:t1\",\"event\":\"task.started\"}");
            assertThat(ws.nextEvent()).containsEntry("type", "task.started");

            ws.send("{\"type\":\"unsubscribe\",\"topics\":[\"task:t1\"]}");
            assertThat(WsClient.topics(ws.next("unsubscribed"))).isEmpty();
            server.publish("{\"topic\":\"task:t1\",\"event\":\"task.completed\"}");
            // a marker to the user proves the topic event would have arrived before it
            publishTo(user, "marker");
            assertThat(ws.nextEvent()).containsEntry("title", "marker");
        }
    }

    @Test
    @DisplayName("a notification with recipients and a topic reaches its recipient, not another subscriber of the topic, unless it is a broadcast")
    void keepsAddressedNotificationsToTheirRecipients() throws Exception {
        String owner = newUser();
        String other = newUser();
        String topic = "task:aud-" + owner;
        try (WsClient mine = open(server.jwt(owner, "task:*"), "topics=" + topic);
             WsClient theirs = open(server.jwt(other, "task:*"), "topics=task:*")) {
            server.publish("{\"recipients\":[\"" + owner + "\"],\"topic\":\"" + topic + "\",\"event\":\"task.progress\",\"title\":\"private\"}");
            server.publish("{\"topic\":\"" + topic + "\",\"event\":\"task.progress\",\"title\":\"public\"}");
            assertThat(theirs.nextEvent()).containsEntry("title", "public");
            assertThat(mine.nextEvent()).containsEntry("title", "private");
            assertThat(mine.nextEvent()).containsEntry("title", "public");

            server.publish("{\"recipients\":[\"" + owner + "\"],\"topic\":\"" + topic + "\",\"broadcast\":true,\"event\":\"task.progress\",\"title\":\"for everyone\"}");
            assertThat(theirs.nextEvent()).containsEntry("title", "for everyone");
            assertThat(mine.nextEvent()).containsEntry("title", "for everyone");
        }
        // by replay: resume from the start; the addressed one is not among the other user's events
        try (WsClient replay = open(server.jwt(other, "task:*"), "topics=" + topic + "&after=0")) {
            assertThat(replay.nextEvent()).containsEntry("title", "public");
            assertThat(replay.nextEvent()).containsEntry("title", "for everyone");
        }
    }

    @Test
    @DisplayName("when the token it was opened with expires: a final reauthenticate frame, then close 4401; a fresh token resumes")
    void endsWhenTheCredentialExpires() throws Exception {
        String user = newUser();
        java.time.Instant soon = java.time.Instant.now().plusSeconds(2);
        try (WsClient ws = open(server.jwt(user, soon), null)) {
            publishTo(user, "before expiry");
            long last = WsClient.id(ws.nextEvent());
            Map<String, Object> bye = ws.next("reauthenticate");
            assertThat((String) data(bye).get("reason")).contains("authenticate again");
            WsClient.Closed closed = ws.awaitClose();
            assertThat(closed.code()).isEqualTo(4401);
            // exp has whole seconds: the socket closes at most a second before `soon`, never before exp
            assertThat(java.time.Instant.now()).isAfterOrEqualTo(soon.minusSeconds(1).minusMillis(50));

            publishTo(user, "while away");
            try (WsClient again = open(server.jwt(user), "after=" + last)) {
                assertThat(again.nextEvent()).containsEntry("title", "while away");
            }
        }
    }

    @Test
    @DisplayName("a topic in ?topics= that the token does not grant closes with 1008 and an error frame")
    void refusesUngrantedTopicsInTheQuery() throws Exception {
        try (WsClient ws = connect(server.jwt(newUser(), "task:*"), "topics=secret:x")) {
            assertThat(ws.next()).containsEntry("type", "error");
            assertThat(ws.awaitClose().code()).isEqualTo(1008);
        }
    }

    @Test
    @DisplayName("ack then drop: a resume by client_id resends exactly the unacknowledged events, then what was missed")
    void resumesWithoutLossOrDuplicates() throws Exception {
        String user = newUser();
        String jwt = server.jwt(user);
        WsClient first = connect(jwt, null);
        String clientId = (String) data(first.next()).get("client_id");
        first.next("stats");
        List<Long> got = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            publishTo(user, "e" + i);
            got.add(id(first.nextEvent()));
        }
        first.send("{\"type\":\"ack\",\"id\":" + got.get(0) + "}");
        first.send("{\"type\":\"ping\",\"ref\":\"sync\"}");
        first.next("pong"); // the ack was handled before the pong
        first.abort();
        waitUntil(() -> server.server().service().hub().connectionCount(user) == 0);
        publishTo(user, "e4 (while away)");

        try (WsClient second = open(jwt, null)) {
            second.send("{\"type\":\"resume\",\"client_id\":\"" + clientId + "\",\"ref\":\"r\"}");
            List<String> titles = new ArrayList<>();
            Map<String, Object> f;
            while (!"resumed".equals((f = second.next()).get("type"))) {
                if (f.containsKey("id")) {
                    titles.add((String) f.get("title"));
                }
            }
            assertThat(titles).containsExactly("e2", "e3", "e4 (while away)");
            assertThat(f).containsEntry("ref", "r");
            assertThat(((Number) data(f).get("replayed")).intValue()).isEqualTo(3);
            // live again, nothing twice
            publishTo(user, "e5");
            assertThat(second.nextEvent()).containsEntry("title", "e5");
            Map<String, Object> more;
            while ((more = second.poll(300)) != null) {
                assertThat(more).as("no event arrives twice").doesNotContainKey("id");
            }
        }

        // the same through ?after=: everything after the given id, each once
        try (WsClient third = open(jwt, "after=" + got.get(1))) {
            List<String> titles = new ArrayList<>();
            Map<String, Object> f;
            while (!"resumed".equals((f = third.next()).get("type"))) {
                if (f.containsKey("id")) {
                    titles.add((String) f.get("title"));
                }
            }
            assertThat(titles).containsExactly("e3", "e4 (while away)", "e5");
        }
    }

    @Test
    @DisplayName("mark_read updates the inbox and pushes stats to an SSE stream of the same user")
    void markReadPushesStatsToSse() throws Exception {
        String user = newUser();
        String jwt = server.jwt(user);
        String n1 = publishTo(user, "one");
        publishTo(user, "two");
        BlockingQueue<String> sseStats = new LinkedBlockingQueue<>();
        HttpRequest req = HttpRequest.newBuilder(server.uri("/api/v1/notifications/stream")).header("Authorization", "Bearer " + jwt).build();
        HttpResponse<Stream<String>> sse = http.send(req, HttpResponse.BodyHandlers.ofLines());
        assertThat(sse.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> {
            boolean stats = false;
            try {
                for (String line : (Iterable<String>) sse.body()::iterator) {
                    if (line.equals("event: stats")) {
                        stats = true;
                    } else if (stats && line.startsWith("data: ")) {
                        sseStats.add(line.substring(6));
                        stats = false;
                    }
                }
            } catch (RuntimeException e) {
                // closed at the end of the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        try (WsClient ws = open(jwt, null)) {
            assertThat(json.parseObject(sseStats.poll(10, TimeUnit.SECONDS))).containsEntry("unread", new java.math.BigDecimal(2));
            ws.send("{\"type\":\"mark_read\",\"ids\":[\"" + n1 + "\"],\"ref\":\"m\"}");
            Map<String, Object> stats = ws.next("stats");
            assertThat(((Number) data(stats).get("unread")).intValue()).isEqualTo(1);
            assertThat(((Number) data(ws.next("marked")).get("updated")).intValue()).isEqualTo(1);
            String pushed = sseStats.poll(10, TimeUnit.SECONDS);
            assertThat(pushed).as("stats pushed to the SSE stream").isNotNull();
            assertThat(json.parseObject(pushed)).containsEntry("unread", new java.math.BigDecimal(1)).containsEntry("read", new java.math.BigDecimal(1));
            HttpResponse<String> stored = server.get("/api/v1/notifications/stats", jwt);
            assertThat(server.json(stored)).containsEntry("unread", new java.math.BigDecimal(1));
        } finally {
            sse.body().close();
        }
    }

    @Test
    @DisplayName("a preferences frame reads and replaces the user's preferences, which the HTTP API then shows")
    void preferencesFrameReadsAndReplaces() throws Exception {
        String user = newUser();
        String jwt = server.jwt(user);
        try (WsClient ws = open(jwt, null)) {
            ws.send("{\"type\":\"preferences\",\"ref\":\"p1\"}");
            assertThat(data(ws.next("preferences"))).containsEntry("muted", false);

            ws.send("{\"type\":\"preferences\",\"ref\":\"p2\",\"data\":{\"muted\":true,"
                    + "\"optOuts\":[{\"events\":[\"marketing.*\"]}]}}");
            Map<String, Object> stored = data(ws.next("preferences"));

            assertThat(stored).containsEntry("muted", true);
            assertThat(server.json(server.get("/api/v1/preferences", jwt))).containsEntry("muted", true);
            ws.send("{\"type\":\"preferences\",\"data\":{\"quietHours\":{\"start\":\"22:00\"}}}");
            assertThat((String) data(ws.next("error")).get("reason")).contains("quietHours");
        }
    }

    @Test
    @DisplayName("bad frames get an error frame with a reason and the connection stays open")
    void answersBadFramesWithErrors() throws Exception {
        try (WsClient ws = open(server.jwt(newUser()), null)) {
            ws.send("{not json");
            assertThat((String) data(ws.next("error")).get("reason")).contains("not a JSON object");
            ws.send("{\"type\":\"subscribe\",\"topics\":\"task:x\"}");
            assertThat((String) data(ws.next("error")).get("reason")).contains("non-empty array");
            ws.send("{\"type\":\"ack\",\"id\":999999}");
            assertThat((String) data(ws.next("error")).get("reason")).contains("ahead of the newest event");
            ws.send("{\"type\":\"fly\"}");
            assertThat(data(ws.next("error"))).containsEntry("frame", "fly");
            ws.sendBinary(new byte[] {1, 2, 3});
            assertThat((String) data(ws.next("error")).get("reason")).contains("binary frames are not supported");
            ws.send("{\"type\":\"ping\",\"ref\":42}");
            assertThat(ws.next()).containsEntry("type", "pong");
        }
    }

    @Test
    @DisplayName("a message over channels.ws.max-frame-bytes closes the connection with 1009")
    void closesOversizeFramesWith1009() throws Exception {
        try (WsClient ws = open(server.jwt(newUser()), null)) {
            ws.send("{\"type\":\"ping\",\"ref\":\"" + "x".repeat(5000) + "\"}");
            assertThat(ws.awaitClose().code()).isEqualTo(1009);
        }
    }

    @Test
    @DisplayName("a server shutdown closes open WebSockets with 1001 and a reason")
    void closesWith1001OnShutdown() throws Exception {
        TestServer own = TestServer.start();
        try {
            URI uri = URI.create("ws://127.0.0.1:" + own.server().port() + WS);
            WsClient ws = WsClient.connect(http, uri, own.jwt("u-shutdown"), own.server().service().json());
            ws.next("stats");
            own.close();
            own = null;
            WsClient.Closed closed = ws.awaitClose();
            assertThat(closed.code()).isEqualTo(1001);
            assertThat(closed.reason()).contains("shutting down");
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    // the HTTP status that refused the upgrade
    private static int handshakeStatus(String bearer) {
        Throwable t = catchThrowable(() -> connect(bearer, null));
        assertThat(t).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) t.getCause()).getResponse().statusCode();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
