package dev.notify.server.security;

import dev.notify.server.TestServer;
import dev.notify.server.internal.ConnectionLimits;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 6: connections are bounded, slow heads are cut off, and a full server still publishes. */
@DisplayName("Connection limits")
class ConnectionLimitTest {

    /** An SSE stream read line by line over a raw socket. */
    private static final class Stream implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final String statusLine;

        Stream(URI base, String jwt) throws IOException {
            socket = new Socket(base.getHost(), base.getPort());
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/notifications/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + jwt + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            statusLine = in.readLine();
        }

        void readUntil(String text) throws IOException {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.contains(text)) {
                    return;
                }
            }
            throw new IOException("the stream ended before '" + text + "'");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void pastTheStreamThresholdNewStreamsGet503WhileOpenStreamsAndPublishingGoOn() throws Exception {
        try (TestServer server = TestServer.start(s -> s.maxConnections(20).headerTimeout(Duration.ofMinutes(1)));
             Stream open = new Stream(server.baseUri(), server.jwt("u-open"))) {
            assertThat(open.statusLine).contains("200");
            open.readUntil("event: connected");
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 17; i++) {
                    idle.add(new Socket(server.baseUri().getHost(), server.baseUri().getPort()));
                }
                // a round trip after the idle sockets: the acceptor has taken them by the time it answers
                assertThat(RawHttp.send(server.baseUri(), "GET", "/health", null, null).status()).isEqualTo(200);

                RawHttp.Answer refused = RawHttp.send(server.baseUri(), "GET", "/api/v1/notifications/stream", server.jwt("u-new"), null);
                assertThat(refused.status()).as(refused.head()).isEqualTo(503);
                assertThat(refused.head().toLowerCase()).contains("retry-after: ").contains("content-type: application/problem+json");

                RawHttp.Answer poll = RawHttp.send(server.baseUri(), "GET", "/api/v1/notifications/poll?wait=5", server.jwt("u-new"), null);
                assertThat(poll.status()).as(poll.head()).isEqualTo(503);
                // a WebSocket is let through the handshake and closed with 1013, which a browser can see
                java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
                java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                        .header("Authorization", "Bearer " + server.jwt("u-new"))
                        .buildAsync(URI.create("ws://" + server.baseUri().getHost() + ":" + server.baseUri().getPort()
                                + "/api/v1/notifications/ws"), new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                                closed.complete(code + " " + reason);
                                return null;
                            }

                            @Override
                            public void onError(java.net.http.WebSocket ws, Throwable error) {
                                closed.completeExceptionally(error);
                            }
                        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).startsWith("1013 ").contains("as many streams");

                RawHttp.Answer published = RawHttp.send(server.baseUri(), "POST", "/api/v1/notifications", server.apiKey(),
                        "{\"recipients\":[\"u-open\"],\"title\":\"still-flowing\"}");
                assertThat(published.status()).as(published.body()).isEqualTo(202);
                open.readUntil("still-flowing");
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            // room again: a new stream opens
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String status;
            do {
                try (Stream again = new Stream(server.baseUri(), server.jwt("u-new"))) {
                    status = again.statusLine;
                }
            } while (!status.contains("200") && System.nanoTime() < deadline);
            assertThat(status).contains("200");
        }
    }

    @Test
    void aConnectionThatTricklesItsHeadIsClosedAfterTheHeaderTimeout() throws Exception {
        try (TestServer server = TestServer.start(s -> s.headerTimeout(Duration.ofSeconds(1)));
             Socket slow = new Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            slow.setSoTimeout(8_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        out.write('X');
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the server: what the test waits for
                }
            });
            trickle.start();
            long start = System.nanoTime();
            InputStream in = slow.getInputStream();
            int read;
            try {
                read = in.read();
                while (read != -1) {
                    read = in.read();
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server still held the trickling connection after 8 s", e);
            } catch (IOException reset) {
                read = -1;
            }
            trickle.join();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void streamsAndWebSocketsThatWentQuietOutliveTheHeaderTimeout() throws Exception {
        try (TestServer server = TestServer.start(s -> s.headerTimeout(Duration.ofSeconds(1)));
             Stream sse = new Stream(server.baseUri(), server.jwt("u-quiet"))) {
            sse.readUntil("event: connected");
            java.util.concurrent.BlockingQueue<String> texts = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
            java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", "Bearer " + server.jwt("u-quiet"))
                    .buildAsync(URI.create("ws://" + server.baseUri().getHost() + ":" + server.baseUri().getPort()
                            + "/api/v1/notifications/ws"), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            texts.add(data.toString());
                            w.request(1);
                            return null;
                        }

                        @Override
                        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int code, String reason) {
                            closed.complete(code + " " + reason);
                            return null;
                        }
                    }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            // the client has sent bytes (its handshake) and no further message: what a slow head looks like to a careless check
            Thread.sleep(2_600);

            assertThat(closed).as("the WebSocket after two header timeouts").isNotDone();
            RawHttp.Answer published = RawHttp.send(server.baseUri(), "POST", "/api/v1/notifications", server.apiKey(),
                    "{\"recipients\":[\"u-quiet\"],\"title\":\"after-the-timeout\"}");
            assertThat(published.status()).as(published.body()).isEqualTo(202);
            sse.readUntil("after-the-timeout");
            String got;
            do {
                got = texts.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(got).as("a WebSocket frame").isNotNull();
            } while (!got.contains("after-the-timeout"));
            ws.abort();
        }
    }

    @Test
    void thePerUserLimitIsAServerOption() throws Exception {
        try (TestServer server = TestServer.start(s -> s.maxConnectionsPerUser(1));
             Stream first = new Stream(server.baseUri(), server.jwt("u-one"))) {
            first.readUntil("event: connected");

            RawHttp.Answer second = RawHttp.send(server.baseUri(), "GET", "/api/v1/notifications/stream", server.jwt("u-one"), null);

            assertThat(second.status()).as(second.head()).isEqualTo(429);
        }
    }

    @Test
    void theDefaultCapLeavesDescriptorsForEverythingElse() {
        // 19,000 streams fit under the 20,000-descriptor limit with the stream headroom of 256
        assertThat(ConnectionLimits.defaultFor(20_000)).isEqualTo(19_375);
        assertThat(ConnectionLimits.defaultFor(1024)).isEqualTo(424);
        assertThat(ConnectionLimits.defaultFor(1_048_576)).isEqualTo(1_048_576 - 32_768);
        assertThat(ConnectionLimits.defaultFor(300)).isLessThan(300).isPositive();
        assertThat(ConnectionLimits.defaultFor(-1)).isPositive();
    }
}
