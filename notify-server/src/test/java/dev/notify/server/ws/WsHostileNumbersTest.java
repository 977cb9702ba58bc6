package dev.notify.server.ws;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Issue 13, item 1, over a real WebSocket: a 35-byte frame must not cost gigabytes. */
class WsHostileNumbersTest {

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("ack and resume with 1e999999999 are answered at once with a short error, and the connection keeps working")
    void hugeExponentsAreRefusedAtOnce() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("ws://127.0.0.1:" + server.server().port() + "/api/v1/notifications/ws");
        try (WsClient c = WsClient.connect(http, uri, server.jwt("u1"), server.server().service().json())) {
            c.next("stats");
            for (String frame : new String[] {"{\"type\":\"ack\",\"id\":1e999999999}", "{\"type\":\"resume\",\"after\":1e999999999}",
                    "{\"type\":\"ack\",\"id\":1e999999999,\"ref\":1e999999999}"}) {
                c.send(frame);
                Map<String, Object> error = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> c.next("error"));
                assertThat(String.valueOf(WsClient.data(error).get("reason"))).contains("must be a whole number").hasSizeLessThan(200);
            }
            c.send("{\"type\":\"ping\",\"ref\":\"still-there\"}");
            assertThat(c.next("pong")).containsEntry("ref", "still-there");
        }
    }

    @Test
    @DisplayName("data holding 1e999999999 is stored, listed and streamed as written, never expanded")
    void hugeExponentsInDataStayAsWritten() throws Exception {
        String id = server.publish("{\"recipients\":[\"u2\"],\"title\":\"big\",\"data\":{\"n\":1e999999999,\"m\":-1e-999999999}}");
        String inbox = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> server.get("/api/v1/notifications", server.jwt("u2")).body());
        assertThat(inbox).contains(id).contains("1E+999999999").contains("-1E-999999999").hasSizeLessThan(4096);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("ws://127.0.0.1:" + server.server().port() + "/api/v1/notifications/ws");
        try (WsClient c = WsClient.connect(http, uri, server.jwt("u2"), server.server().service().json())) {
            c.next("stats");
            c.send("{\"type\":\"resume\",\"after\":0}");
            Map<String, Object> event = assertTimeoutPreemptively(Duration.ofSeconds(5), c::nextEvent);
            assertThat(WsClient.data(event)).containsEntry("n", new java.math.BigDecimal("1e999999999"));
        }
    }
}
