package dev.notify.server.channels;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audience rule (README "Who receives what"): a notification with recipients reaches those
 * recipients only, even when it names a topic that other users are granted and subscribed to,
 * unless the publisher asks for a broadcast. SSE and polling here; WebSocket in WsEndToEndTest.
 */
class AudienceEndToEndTest {

    private static final String STREAM = "/api/v1/notifications/stream";
    private static final AtomicInteger RUN = new AtomicInteger();

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

    private record Names(String owner, String other, String topic) {
    }

    private static Names names() {
        int n = RUN.incrementAndGet();
        return new Names("aud-owner-" + n, "aud-other-" + n, "task:aud" + n);
    }

    private static String publish(String recipient, String topic, boolean broadcast, String title) {
        return server.publish("{" + (recipient == null ? "" : "\"recipients\":[\"" + recipient + "\"],") + "\"topic\":\"" + topic + "\","
                + (broadcast ? "\"broadcast\":true," : "") + "\"event\":\"task.progress\",\"title\":\"" + title + "\"}");
    }

    // every user is granted task:*; each test subscribes to its own topic, so tests do not see each other's events
    private static SseClient stream(String user, String topics, String lastEventId) {
        SseClient c = SseClient.connect(http, server.uri(STREAM + "?topics=" + topics), server.jwt(user, "task:*"), lastEventId);
        assertThat(c.status()).isEqualTo(200);
        c.greeting();
        return c;
    }

    private static String title(SseClient.Frame f) {
        int at = f.data().indexOf("\"title\":\"");
        return f.data().substring(at + 9, f.data().indexOf('"', at + 9));
    }

    @Test
    @DisplayName("SSE: another user granted and subscribed to the topic does not get a notification addressed to a recipient, live or by replay")
    void sseKeepsAddressedNotificationsToTheirRecipients() {
        Names n = names();
        try (SseClient owner = stream(n.owner(), n.topic(), null); SseClient other = stream(n.other(), n.topic(), null)) {
            publish(n.owner(), n.topic(), false, "private");
            // a topic-only event after it: had the private one reached the other user, it would come first
            publish(null, n.topic(), false, "public");
            assertThat(title(other.nextEvent("task.progress"))).isEqualTo("public");
            assertThat(title(owner.nextEvent("task.progress"))).isEqualTo("private");
            assertThat(title(owner.nextEvent("task.progress"))).isEqualTo("public");
        }
        try (SseClient replay = stream(n.other(), n.topic(), "0")) {
            // replay before live: the first event must be the topic-only one
            assertThat(title(replay.nextEvent("task.progress"))).isEqualTo("public");
            publish(null, n.topic(), false, "marker");
            assertThat(title(replay.nextEvent("task.progress"))).isEqualTo("marker");
        }
    }

    @Test
    @DisplayName("SSE: a broadcast with recipients reaches the recipients and every subscriber of the topic")
    void sseDeliversBroadcastsToTopicSubscribers() {
        Names n = names();
        try (SseClient owner = stream(n.owner(), n.topic(), null); SseClient other = stream(n.other(), n.topic(), null)) {
            publish(n.owner(), n.topic(), true, "for everyone");
            assertThat(title(other.nextEvent("task.progress"))).isEqualTo("for everyone");
            assertThat(title(owner.nextEvent("task.progress"))).isEqualTo("for everyone");
        }
        try (SseClient replay = stream(n.other(), n.topic(), "0")) {
            assertThat(title(replay.nextEvent("task.progress"))).isEqualTo("for everyone");
        }
    }

    @Test
    @DisplayName("polling: another user's poll of the topic holds the topic-only and broadcast events, never the addressed one")
    void pollKeepsAddressedNotificationsToTheirRecipients() {
        Names n = names();
        String addressed = publish(n.owner(), n.topic(), false, "private");
        String topicOnly = publish(null, n.topic(), false, "public");
        String broadcast = publish(n.owner(), n.topic(), true, "for everyone");

        HttpResponse<String> other = server.get("/api/v1/notifications/poll?after=0&topics=" + n.topic(), server.jwt(n.other(), "task:*"));
        assertThat(other.statusCode()).isEqualTo(200);
        List<Map<String, Object>> seen = TestServer.list(server.json(other), "events");
        assertThat(seen).extracting(e -> e.get("notification_id")).containsExactly(topicOnly, broadcast);

        HttpResponse<String> owner = server.get("/api/v1/notifications/poll?after=0&topics=" + n.topic(), server.jwt(n.owner(), "task:*"));
        assertThat(TestServer.list(server.json(owner), "events")).extracting(e -> e.get("notification_id"))
                .contains(addressed, topicOnly, broadcast);
    }

    @Test
    @DisplayName("a broadcast without a topic is a 400 that names the field")
    void refusesABroadcastWithoutATopic() {
        HttpResponse<String> r = server.post("/api/v1/notifications", server.apiKey(),
                "{\"recipients\":[\"u1\"],\"broadcast\":true,\"title\":\"x\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("broadcast needs a topic");
        HttpResponse<String> notBoolean = server.post("/api/v1/notifications", server.apiKey(),
                "{\"topic\":\"task:x\",\"broadcast\":\"yes\",\"title\":\"x\"}");
        assertThat(notBoolean.statusCode()).isEqualTo(400);
        assertThat(notBoolean.body()).contains("broadcast");
    }
}
