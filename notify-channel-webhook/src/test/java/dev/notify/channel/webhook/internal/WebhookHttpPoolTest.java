package dev.notify.channel.webhook.internal;

import com.sun.net.httpserver.HttpServer;
import dev.notify.api.spi.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The keep-alive pool of {@link WebhookHttp} (Jetty's, keyed by the checked addresses): reuse, and every way a connection leaves it. */
class WebhookHttpPoolTest {

    private static final List<Map.Entry<String, String>> HEADERS = List.of(Map.entry("Content-Type", "application/json"));
    private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> closing = new ArrayList<>();
    /** Remote address of every connection the test server saw. */
    private final Set<String> connections = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> answerConnection = new AtomicReference<>();
    private final AtomicReference<String> lastConnectionHeader = new AtomicReference<>();
    private final AtomicReference<String> answerBody = new AtomicReference<>("");

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A keep-alive HTTP server on every local address (so 127.0.0.2 reaches it too). */
    private int server() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(0), 0);
        s.setExecutor(Executors.newCachedThreadPool());
        s.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            connections.add(ex.getRemoteAddress().toString());
            lastConnectionHeader.set(ex.getRequestHeaders().getFirst("Connection"));
            if (answerConnection.get() != null) {
                ex.getResponseHeaders().add("Connection", answerConnection.get());
            }
            byte[] out = answerBody.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length == 0 ? -1 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        });
        s.start();
        closing.add(() -> {
            s.stop(0);
            ((java.util.concurrent.ExecutorService) s.getExecutor()).shutdownNow();
        });
        return s.getAddress().getPort();
    }

    private Client client(AddressPolicy policy, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of("allow-private-networks", "true", "request-timeout", "3s"));
        config.putAll(extra);
        WebhookHttp http = new WebhookHttp(policy, WebhookSettings.from(Config.of(config)));
        closing.add(http);
        return new Client(http);
    }

    private Client client(Map<String, String> extra) {
        return client(new AddressPolicy(true, List.of(), InetAddress::getAllByName), extra);
    }

    /** One POST, waited for: the answer, or the IOException the stage completed with. */
    static WebhookHttp.Response post(WebhookHttp http, String url, List<Map.Entry<String, String>> headers, byte[] body)
            throws IOException {
        try {
            return http.post(url, headers, body).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new AssertionError("not an IOException", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer", e);
        }
    }

    /** The client under test, with blocking POSTs for short tests. */
    private record Client(WebhookHttp http) {
        WebhookHttp.Response post(String url, List<Map.Entry<String, String>> headers, byte[] body) throws IOException {
            return WebhookHttpPoolTest.post(http, url, headers, body);
        }

        int idleConnections() {
            return http.idleConnections();
        }

        void close() {
            http.close();
        }
    }

    @Test
    @DisplayName("a second POST to the same endpoint reuses the connection")
    void reusesTheConnection() throws Exception {
        int port = server();
        Client http = client(Map.of());
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY).status()).isEqualTo(200);
        }
        assertThat(connections).as("one connection served the five POSTs").hasSize(1);
        assertThat(lastConnectionHeader.get()).isNull();
        assertThat(http.idleConnections()).isEqualTo(1);
    }

    @Test
    @DisplayName("an answer with Connection: close closes the connection; the next POST opens a new one")
    void connectionCloseIsHonoured() throws Exception {
        int port = server();
        answerConnection.set("close");
        Client http = client(Map.of());
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(http.idleConnections()).isZero();
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(2);
        assertThat(connections).hasSize(2);
    }

    @Test
    @DisplayName("a truncated answer (longer than max-response-bytes) is not left half-read in the pool")
    void truncatedAnswerClosesTheConnection() throws Exception {
        int port = server();
        answerBody.set("x".repeat(5000));
        Client http = client(Map.of("max-response-bytes", "1000"));
        WebhookHttp.Response r = http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(r.truncated()).isTrue();
        assertThat(http.idleConnections()).isZero();
        answerBody.set("ok");
        assertThat(http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY).body()).isEqualTo("ok");
        assertThat(connections.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("keep-alive=false sends Connection: close and opens a connection per POST")
    void keepAliveOff() throws Exception {
        int port = server();
        Client http = client(Map.of("keep-alive", "false"));
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(lastConnectionHeader.get()).isEqualToIgnoringCase("close");
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(2);
        assertThat(http.idleConnections()).isZero();
    }

    @Test
    @DisplayName("idle connections are closed after pool-idle-timeout")
    void idleConnectionsExpire() throws Exception {
        int port = server();
        Client http = client(Map.of("pool-idle-timeout", "200ms"));
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(http.idleConnections()).isEqualTo(1);
        Thread.sleep(600);
        assertThat(http.idleConnections()).isZero();
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("a connection older than pool-max-age is not reused, however busy")
    void oldConnectionsAreRetired() throws Exception {
        int port = server();
        Client http = client(Map.of("pool-max-age", "300ms"));
        long start = System.nanoTime();
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        long elapsedMs;
        do { // at least 700 ms between the first and the last POST, however slow the machine
            Thread.sleep(20);
            http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
            elapsedMs = (System.nanoTime() - start) / 1_000_000;
        } while (elapsedMs < 700);
        // a connection serves at most 300 ms, so the span needs two or more; and none is retired younger
        assertThat((long) connections.size()).isBetween(2L, elapsedMs / 300 + 1);
    }

    @Test
    @DisplayName("every POST re-resolves and re-checks: a pooled connection serves only while the host still resolves to its address")
    void dnsChangesRetirePooledConnections() throws Exception {
        int port = server();
        AtomicReference<String> answer = new AtomicReference<>("127.0.0.1");
        Client http = client(new AddressPolicy(false, List.of(Cidr.parse("127.0.0.0/8")),
                host -> new InetAddress[] {InetAddress.getByName(answer.get())}), Map.of("allow-private-networks", "false"));
        String url = "http://hooks.example:" + port + "/hook";
        http.post(url, HEADERS, BODY);
        http.post(url, HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(1);

        answer.set("127.0.0.2"); // the host moved: the connection to 127.0.0.1 must not serve it
        http.post(url, HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(2);
        assertThat(connections).hasSize(2);

        answer.set("10.1.2.3"); // now outside the allowed range: refused although two idle connections exist
        assertThatThrownBy(() -> http.post(url, HEADERS, BODY)).isInstanceOf(WebhookHttp.Refused.class)
                .hasMessageContaining("10.1.2.3");
        assertThat(connections.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("connections are pooled per host name: another name on the same address gets its own")
    void poolIsPerHostName() throws Exception {
        int port = server();
        Client http = client(new AddressPolicy(true, List.of(), host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")}),
                Map.of());
        http.post("http://a.example:" + port + "/hook", HEADERS, BODY);
        http.post("http://b.example:" + port + "/hook", HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(2);
        http.post("http://a.example:" + port + "/hook", HEADERS, BODY);
        assertThat(connections.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("a pooled connection the server closed meanwhile is replaced by a fresh one within the attempt")
    void staleConnectionIsReplaced() throws Exception {
        // answers one request per connection with a keep-alive answer, then closes the connection
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        closing.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    accepted.incrementAndGet();
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    int n = in.read(buf);
                    if (n > 0) {
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                        s.getOutputStream().flush();
                    }
                    Thread.sleep(50);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        Client http = client(Map.of());
        String url = "http://127.0.0.1:" + ss.getLocalPort() + "/hook";
        assertThat(http.post(url, HEADERS, BODY).body()).isEqualTo("ok");
        Thread.sleep(200); // the server has closed its end by now
        assertThat(http.post(url, HEADERS, BODY).body()).isEqualTo("ok");
        assertThat(accepted.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("a failed exchange (reset) evicts the connection")
    void resetEvicts() throws Exception {
        Receiver.Resetter reset = new Receiver.Resetter();
        closing.add(reset);
        Client http = client(Map.of());
        assertThatThrownBy(() -> http.post(reset.url(), HEADERS, BODY)).isInstanceOf(IOException.class);
        assertThat(http.idleConnections()).isZero();
    }

    @Test
    @DisplayName("close() closes the idle connections")
    void closeClosesIdle() throws Exception {
        int port = server();
        Client http = client(Map.of());
        http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY);
        assertThat(http.idleConnections()).isEqualTo(1);
        http.close();
        assertThat(http.idleConnections()).isZero();
        assertThatThrownBy(() -> http.post("http://127.0.0.1:" + port + "/hook", HEADERS, BODY)).isInstanceOf(IOException.class);
    }
}
