package dev.notify.server.channels;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSE channel over real HTTP on loopback against the real server (H2 store, Jetty). */
class SseEndToEndTest {

    private static final String STREAM = "/api/v1/notifications/stream";
    private static final AtomicInteger USERS = new AtomicInteger();

    private static TestServer server;
    private static HttpClient http;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
        http = SseClient.http();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String newUser() {
        return "sse-user-" + USERS.incrementAndGet();
    }

    private static SseClient connect(String path, String jwt) {
        SseClient c = SseClient.connect(http, server.uri(path), jwt, null);
        assertThat(c.status()).as("stream status").isEqualTo(200);
        return c;
    }

    private static String publishTo(String user, String title) {
        return server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.progress\",\"title\":\"" + title
                + "\",\"data\":{\"percent\":50,\"message\":\"line one\\nline two\"}}");
    }

    @Test
    @DisplayName("on connect: retry hint, then connected, stats and recent, as text/event-stream without caching")
    void greetsWithRetryConnectedStatsAndRecent() {
        String user = newUser();
        String id = publishTo(user, "before connecting");
        try (SseClient sse = connect(STREAM, server.jwt(user))) {
            HttpResponse<InputStream> r = sse.response();
            assertThat(r.headers().firstValue("Content-Type")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("text/event-stream");
            assertThat(r.headers().firstValue("Cache-Control")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("no-cache");

            assertThat(sse.next().retry()).isEqualTo(3000);
            SseClient.Frame connected = sse.nextEvent();
            assertThat(connected.event()).isEqualTo("connected");
            Map<String, Object> c = json(connected);
            assertThat(c).containsEntry("userId", user).containsKeys("clientId", "timestamp");
            SseClient.Frame stats = sse.nextEvent();
            assertThat(stats.event()).isEqualTo("stats");
            assertThat(json(stats)).containsEntry("total", num(1)).containsEntry("unread", num(1)).containsEntry("read", num(0));
            SseClient.Frame recent = sse.nextEvent();
            assertThat(recent.event()).isEqualTo("recent");
            assertThat(TestServer.list(json(recent), "notifications")).extracting(m -> m.get("id")).containsExactly(id);
        }
    }

    @Test
    @DisplayName("an event larger than a stream's 4 KiB response buffer arrives whole, and the stream goes on")
    void anEventLargerThanTheStreamBufferArrivesWhole() {
        String user = newUser();
        String big = "x".repeat(20_000);
        try (SseClient sse = connect(STREAM, server.jwt(user))) {
            sse.greeting();
            server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.progress\",\"title\":\"big\",\"body\":\"" + big + "\"}");
            publishTo(user, "small after big");
            assertThat(json(sse.nextEvent("task.progress"))).containsEntry("body", big);
            assertThat(json(sse.nextEvent("task.progress"))).containsEntry("title", "small after big");
        }
    }

    @Test
    void theSubscribeAliasStreamsToo() {
        try (SseClient sse = connect("/api/v1/notifications/subscribe", server.jwt(newUser()))) {
            assertThat(sse.greeting()).extracting(SseClient.Frame::event).contains("connected", "stats", "recent");
        }
    }

    @Test
    @DisplayName("a published notification arrives live with its event-log sequence as id: and multi-line data intact")
    void receivesALiveEventWithItsSequence() {
        String user = newUser();
        try (SseClient sse = connect(STREAM, server.jwt(user))) {
            sse.greeting();
            String id = publishTo(user, "live one");
            SseClient.Frame e = sse.nextEvent("task.progress");
            assertThat(e.id()).matches("[1-9][0-9]*");
            Map<String, Object> data = json(e);
            assertThat(data).containsEntry("id", id).containsEntry("title", "live one").containsEntry("event", "task.progress");
            assertThat(((Map<?, ?>) data.get("data")).get("message")).isEqualTo("line one\nline two");
        }
    }

    @Test
    @DisplayName("disconnect, publish three, reconnect with Last-Event-ID: exactly those three in order, then live")
    void resumesWithLastEventIdWithoutGapOrDuplicate() {
        String user = newUser();
        String jwt = server.jwt(user);
        String lastId;
        try (SseClient sse = connect(STREAM, jwt)) {
            sse.greeting();
            publishTo(user, "seen");
            lastId = sse.nextEvent("task.progress").id();
        }
        List<String> missed = List.of(publishTo(user, "missed 1"), publishTo(user, "missed 2"), publishTo(user, "missed 3"));
        try (SseClient sse = SseClient.connect(http, server.uri(STREAM), jwt, lastId)) {
            assertThat(sse.status()).isEqualTo(200);
            sse.greeting();
            List<String> replayed = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SseClient.Frame f = sse.nextEvent("task.progress");
                replayed.add((String) json(f).get("id"));
                ids.add(Long.parseLong(f.id()));
            }
            assertThat(replayed).isEqualTo(missed);
            assertThat(ids).isSorted().allMatch(i -> i > Long.parseLong(lastId));

            String live = publishTo(user, "live after replay");
            // the publish also changes the counts, so a stats event may come first
            SseClient.Frame next = sse.nextEvent("task.progress");
            assertThat(json(next)).containsEntry("id", live);
        }
    }

    @Test
    void aFirstConnectionMayResumeWithTheLastEventIdQueryParameter() {
        String user = newUser();
        String jwt = server.jwt(user);
        String lastId;
        try (SseClient sse = connect(STREAM, jwt)) {
            SseClient.Frame connected = sse.greeting().stream().filter(f -> "connected".equals(f.event())).findFirst().orElseThrow();
            lastId = connected.id();
            assertThat(lastId).as("a fresh stream's connected event carries the log head as id").isNotNull();
        }
        String missed = publishTo(user, "missed");
        try (SseClient sse = connect(STREAM + "?lastEventId=" + lastId, jwt)) {
            sse.greeting();
            assertThat(json(sse.nextEvent("task.progress"))).containsEntry("id", missed);
        }
    }

    @Test
    @DisplayName("marking a notification read through the REST API pushes a stats event")
    void pushesStatsAfterMarkRead() {
        String user = newUser();
        String jwt = server.jwt(user);
        String id = publishTo(user, "to read");
        try (SseClient sse = connect(STREAM, jwt)) {
            sse.greeting();
            HttpResponse<String> r = server.patch("/api/v1/notifications/" + id, jwt, "{\"read\":true}");
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, Object> stats = json(sse.nextEvent("stats"));
            assertThat(stats).containsEntry("total", num(1)).containsEntry("unread", num(0)).containsEntry("read", num(1));
        }
    }

    @Test
    void topicSubscriptionsWithinTheGrantsReceiveTopicEvents() {
        String user = newUser();
        try (SseClient sse = connect(STREAM + "?topics=task:abc123", server.jwt(user, "task:*"))) {
            sse.greeting();
            server.publish("{\"topic\":\"task:zzz\",\"event\":\"task.other\",\"title\":\"not subscribed\"}");
            server.publish("{\"topic\":\"task:abc123\",\"event\":\"task.completed\",\"title\":\"done\"}");
            SseClient.Frame f = sse.nextEvent();
            assertThat(f.event()).isEqualTo("task.completed");
            assertThat(json(f)).containsEntry("task_id", "abc123").containsEntry("topic", "task:abc123");
        }
    }

    @Test
    void anUngrantedTopicIsForbidden() {
        HttpResponse<String> r = server.get(STREAM + "?topics=task:abc123,billing:all", server.jwt(newUser(), "task:*"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.body()).contains("billing:all");
    }

    @Test
    void aMalformedLastEventIdIsABadRequest() {
        HttpResponse<String> r = server.send(server.request(STREAM, server.jwt(newUser())).header("Last-Event-ID", "yesterday").GET().build());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Last-Event-ID");
    }

    @Test
    void withoutCredentialsTheStreamIsRefused() {
        assertThat(server.get(STREAM, null).statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("a user over the per-user connection limit gets 429")
    void enforcesThePerUserConnectionLimit() {
        String user = newUser();
        String jwt = server.jwt(user);
        List<SseClient> open = new ArrayList<>();
        try {
            HttpResponse<String> refused = null;
            for (int i = 0; i < 64 && refused == null; i++) {
                HttpResponse<String> probe = null;
                SseClient c = SseClient.connect(http, server.uri(STREAM), jwt, null);
                if (c.status() == 200) {
                    c.greeting();
                    open.add(c);
                } else {
                    c.close();
                    probe = server.get(STREAM, jwt);
                    refused = probe;
                }
            }
            assertThat(refused).as("refused before 64 connections").isNotNull();
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains(user);
            assertThat(open).hasSize(server.server().service().hub().connectionCount(user));

            // a client that left is noticed on the next write to it, and its place freed
            open.remove(0).close();
            for (int i = 0; i < 3 && server.server().service().hub().connectionCount(user) > open.size(); i++) {
                publishTo(user, "wake the dead connection " + i);
            }
            awaitConnections(user, open.size());
            SseClient again = connect(STREAM, jwt);
            open.add(again);
        } finally {
            open.forEach(SseClient::close);
        }
    }

    @Test
    @DisplayName("a reader too slow to keep up is disconnected while the others keep receiving")
    void disconnectsASlowReaderWithoutDelayingOthers() throws Exception {
        // 1 MiB of slack lets a reader that keeps reading ride out a busy machine; the one that stopped
        // fills its socket buffers (a few MiB on loopback) and then this
        try (TestServer small = TestServer.start(s -> s.set("channels.sse.max-buffered-events", "64")
                .set("channels.sse.max-buffered-bytes", "1048576"))) {
            String topic = "news:slow-test";
            String slowUser = "slow";
            HttpClient client = SseClient.http();
            try (Socket slow = new Socket();
                 SseClient fast = SseClient.connect(client, small.uri(STREAM + "?topics=" + topic), small.jwt("fast", "news:*"), null)) {
                slow.setReceiveBufferSize(4096);
                slow.connect(new InetSocketAddress("127.0.0.1", small.server().port()));
                OutputStream out = slow.getOutputStream();
                out.write(("GET " + STREAM + "?topics=" + topic + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                        + "Authorization: Bearer " + small.jwt(slowUser, "news:*") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // the slow reader reads its response head and greeting, then stops reading altogether
                InputStream in = slow.getInputStream();
                byte[] head = new byte[512];
                int n = in.read(head);
                assertThat(new String(head, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
                assertThat(fast.status()).isEqualTo(200);
                fast.greeting();
                awaitConnections(small, slowUser, 1);

                String body = "x".repeat(60_000);
                int count = 200;
                for (int i = 0; i < count; i++) {
                    small.publish("{\"topic\":\"" + topic + "\",\"event\":\"bulk\",\"title\":\"" + i + "\",\"body\":\"" + body + "\"}");
                }
                // workers deliver concurrently, so live order across notifications is not guaranteed; completeness is
                java.util.Set<String> titles = new java.util.HashSet<>();
                for (int i = 0; i < count; i++) {
                    titles.add((String) json(fast.nextEvent("bulk")).get("title"));
                }
                assertThat(titles).hasSize(count);
                awaitConnections(small, slowUser, 0);
                assertThat(small.server().service().hub().connectionCount("fast")).isEqualTo(1);
            }
        }
    }

    @Test
    void sendsHeartbeatCommentsAtTheConfiguredInterval() {
        try (TestServer quick = TestServer.start(s -> s.set("channels.sse.heartbeat-interval", "200ms"))) {
            try (SseClient sse = SseClient.connect(SseClient.http(), quick.uri(STREAM), quick.jwt("hb"), null)) {
                assertThat(sse.status()).isEqualTo(200);
                sse.greeting();
                SseClient.Frame c = sse.nextComment(Duration.ofSeconds(5));
                assertThat(c).isNotNull();
                assertThat(c.comment()).isEqualTo("heartbeat");
                assertThat(sse.nextComment(Duration.ofSeconds(5))).isNotNull();
            }
        }
    }

    @Test
    @DisplayName("shutting the server down writes a final comment and ends the stream")
    void shutdownWritesAFinalCommentAndEndsTheStream() throws Exception {
        TestServer doomed = TestServer.start();
        try (SseClient sse = SseClient.connect(SseClient.http(), doomed.uri(STREAM), doomed.jwt("bye"), null)) {
            assertThat(sse.status()).isEqualTo(200);
            sse.greeting();
            Thread closer = new Thread(doomed::close);
            closer.start();
            List<SseClient.Frame> last = new ArrayList<>();
            assertThat(sse.awaitEnd(Duration.ofSeconds(15), last)).as("the stream ended").isTrue();
            assertThat(last).anyMatch(f -> "server shutting down".equals(f.comment()));
            closer.join(15_000);
        } finally {
            doomed.close();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static void awaitConnections(String user, int expected) {
        awaitConnections(server, user, expected);
    }

    private static void awaitConnections(TestServer s, String user, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int now;
        while ((now = s.server().service().hub().connectionCount(user)) != expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertThat(now).as("live connections of %s", user).isEqualTo(expected);
    }

    private static Map<String, Object> json(SseClient.Frame f) {
        return server.server().service().json().parseObject(f.data());
    }

    private static Object num(long n) {
        return new java.math.BigDecimal(n);
    }
}
