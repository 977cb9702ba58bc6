package dev.notify.server.ws;

import dev.notify.api.spi.JsonCodec;
import dev.notify.server.TestServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end fuzzing of the WebSocket endpoint with jqwik (issue 13): a logged-in user (u2) sends
 * random text frames; every answer is a frame for u2 (an {@code error} for a bad one), the
 * connection keeps answering (a {@code ping} after them gets its {@code pong}) or is closed with
 * a protocol code, never 1011 (server error), and nothing of u1's shows or changes.
 * Run longer with {@code -Djqwik.tries.default=100000}.
 */
class WsFuzzEndToEndTest {

    private static final String SECRET = "secret-of-u1";
    private static final int SERVER_ERROR = 1011;

    private static TestServer server;
    private static HttpClient http;
    private static JsonCodec json;
    private static String u1;
    private static String u2;
    private static String u1Notification;

    @BeforeContainer
    static void startServer() {
        server = TestServer.start(s -> s.set("channels.ws.max-frame-bytes", "8192"));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        json = server.server().service().json();
        u1 = server.jwt("u1");
        u2 = server.jwt("u2", "task:*");
        u1Notification = server.publish("{\"recipients\":[\"u1\"],\"title\":\"" + SECRET + "\",\"data\":{\"n\":1e999999999}}");
    }

    @AfterContainer
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Property
    void anyFramesGetAnswersForTheSenderAloneAndTheConnectionKeepsWorking(@ForAll("frameLists") List<String> frames) throws Exception {
        Map<String, Object> before = server.json(server.get("/api/v1/notifications/stats", u1));
        URI uri = URI.create("ws://127.0.0.1:" + server.server().port() + "/api/v1/notifications/ws");
        try (WsClient c = WsClient.connect(http, uri, u2, json)) {
            assertThat(c.next("stats")).isNotNull();
            try {
                for (String f : frames) {
                    c.send(f);
                }
                c.send("{\"type\":\"ping\",\"ref\":\"probe\"}");
            } catch (CompletionException e) {
                // only a close by the server (a frame over max-frame-bytes) may stop the client sending
                assertThat(c.awaitClose().code()).as("send failed (%s) after %s", e, shortly(frames)).isNotEqualTo(SERVER_ERROR);
            }
            List<Map<String, Object>> answers = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Map<String, Object> f = c.poll(100);
                if (f == null) {
                    WsClient.Closed closed = c.closedNow();
                    if (closed != null) {
                        assertThat(closed.code()).as("closed after %s: %s", shortly(frames), closed).isNotEqualTo(SERVER_ERROR);
                        break;
                    }
                    assertThat(System.nanoTime()).as("neither a pong nor a close within 10 s; answers %s to frames of %s characters: %s",
                            answers, frames.stream().map(String::length).toList(), shortly(frames)).isLessThan(deadline);
                    continue;
                }
                answers.add(f);
                assertThat(String.valueOf(f)).doesNotContain(SECRET).doesNotContain(u1Notification);
                if ("pong".equals(f.get("type")) && "probe".equals(f.get("ref"))) {
                    break;
                }
            }
        }
        assertThat(server.json(server.get("/api/v1/notifications/stats", u1))).isEqualTo(before);
    }

    private static List<String> shortly(List<String> frames) {
        return frames.stream().map(f -> f.length() > 200 ? f.substring(0, 200) + "..." : f).toList();
    }

    @Provide
    Arbitrary<List<String>> frameLists() {
        Arbitrary<String> fragments = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"type\"", "\"ack\"", "\"id\"", "\"resume\"", "\"after\"", "\"client_id\"",
                        "\"subscribe\"", "\"unsubscribe\"", "\"topics\"", "\"mark_read\"", "\"ids\"", "\"all\"", "\"ping\"", "\"ref\"",
                        "\"task:*\"", "\"*\"", "\"u1\"", "1e999999999", "-1E-999999999", "0", "1", "true", "null", "\"\\u0000\"", " "),
                Arbitraries.strings().numeric().ofMinLength(900).ofMaxLength(1100),
                Arbitraries.integers().between(1, 100).map("["::repeat),
                Arbitraries.just("\"" + u1Notification + "\""));
        Arbitrary<String> structured = fragments.list().ofMaxSize(30).map(l -> String.join("", l));
        Arbitrary<String> frame = Arbitraries.oneOf(structured, structured.map(s -> "{\"type\":" + s),
                Arbitraries.of("{\"type\":\"ack\",\"id\":1e999999999}", "{\"type\":\"resume\",\"after\":1e999999999}",
                        "{\"type\":\"resume\",\"after\":0}", "{\"type\":\"mark_read\",\"all\":true}",
                        "{\"type\":\"mark_read\",\"ids\":[\"" + u1Notification + "\"]}", "{\"type\":\"subscribe\",\"topics\":[\"*\"]}"),
                // a text frame is UTF-8: a lone surrogate cannot be sent (the client's sendText fails)
                Arbitraries.strings().all().ofMaxLength(100).filter(f -> StandardCharsets.UTF_8.newEncoder().canEncode(f)));
        return frame.list().ofMinSize(1).ofMaxSize(5);
    }
}
