package dev.notify.server.ws;

import dev.notify.api.spi.JsonCodec;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A test client over java.net.http's WebSocket: frames are queued as parsed JSON objects; the close is remembered. */
final class WsClient implements AutoCloseable {

    /** How the server closed the connection. */
    record Closed(int code, String reason) {
    }

    private final JsonCodec json;
    private final BlockingQueue<Map<String, Object>> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private WebSocket socket;

    private WsClient(JsonCodec json) {
        this.json = json;
    }

    /** Opens a WebSocket; the handshake's failure (a 401, say) is thrown as the cause of an ExecutionException. */
    static WsClient connect(HttpClient http, URI uri, String bearer, JsonCodec json) throws ExecutionException, InterruptedException,
            TimeoutException {
        WsClient c = new WsClient(json);
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        c.socket = b.buildAsync(uri, c.new Listener()).get(10, TimeUnit.SECONDS);
        return c;
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(json.parseObject(partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(new Closed(-1, String.valueOf(error)));
        }
    }

    /** Sends one text frame. */
    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** Sends one binary frame. */
    void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** The next frame, waiting up to 10 s. */
    Map<String, Object> next() throws InterruptedException {
        Map<String, Object> f = frames.poll(10, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame within 10 s" + (closed.isDone() ? "; closed: " + closed.join() : ""));
        }
        return f;
    }

    /** The next frame of this type, skipping others (stats pushed in between, for example). */
    Map<String, Object> next(String type) throws InterruptedException {
        while (true) {
            Map<String, Object> f = next();
            if (type.equals(f.get("type"))) {
                return f;
            }
        }
    }

    /** Whatever frame arrives within {@code millis}, or null. */
    Map<String, Object> poll(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The next frame that is an event (has an id). */
    Map<String, Object> nextEvent() throws InterruptedException {
        while (true) {
            Map<String, Object> f = next();
            if (f.containsKey("id")) {
                return f;
            }
        }
    }

    /** How the server closed the connection, or null while it is open. */
    Closed closedNow() {
        return closed.getNow(null);
    }

    /** How the server closed the connection, waiting up to 10 s. */
    Closed awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    /** Drops the TCP connection without a close handshake, like a client that lost its network. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> data(Map<String, Object> frame) {
        return (Map<String, Object>) frame.get("data");
    }

    @SuppressWarnings("unchecked")
    static List<String> topics(Map<String, Object> frame) {
        return (List<String>) data(frame).get("topics");
    }

    static long id(Map<String, Object> frame) {
        return ((Number) frame.get("id")).longValue();
    }
}
