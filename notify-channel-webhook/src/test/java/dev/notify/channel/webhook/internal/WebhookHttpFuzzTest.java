package dev.notify.channel.webhook.internal;

import dev.notify.api.spi.Config;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of {@link WebhookHttp} (Jetty's response parser and the channel's limits)
 * through a real local socket (issue 13; kept when Jetty's parser replaced Notify's own): whatever bytes a webhook receiver answers with (status lines, headers, chunked
 * bodies, floods of 1xx answers), a POST ends within its deadline with a {@link WebhookHttp.Response}
 * or an {@link IOException} whose message is short and printable; nothing else escapes, and no
 * more than {@code max-response-bytes} of a body is kept. Run longer with
 * {@code -Djqwik.tries.default=100000}.
 */
class WebhookHttpFuzzTest {

    private static final int MAX_RESPONSE_BYTES = 4096;
    private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    private static final List<Map.Entry<String, String>> HEADERS = List.of(Map.entry("Content-Type", "application/json"));
    private static final AtomicReference<byte[]> ANSWER = new AtomicReference<>(new byte[0]);

    private static ServerSocket server;
    private static ExecutorService acceptor;
    private static WebhookHttp pooled;
    private static WebhookHttp unpooled;

    @BeforeContainer
    static void startReceiver() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Executors.newCachedThreadPool();
        acceptor.submit(() -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                acceptor.submit(() -> answer(s));
            }
            return null;
        });
        AddressPolicy loopback = new AddressPolicy(true, List.of(), InetAddress::getAllByName);
        pooled = new WebhookHttp(loopback, settings("true"));
        unpooled = new WebhookHttp(loopback, settings("false"));
    }

    private static WebhookSettings settings(String keepAlive) {
        return WebhookSettings.from(Config.of(Map.of("allow-private-networks", "true", "request-timeout", "2s",
                "max-response-bytes", String.valueOf(MAX_RESPONSE_BYTES), "keep-alive", keepAlive)));
    }

    /** Reads the request head and body, sends the current answer, closes. */
    private static void answer(Socket s) {
        try (s) {
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.write(b);
            }
            in.readNBytes(BODY.length);
            OutputStream out = s.getOutputStream();
            out.write(ANSWER.get());
            out.flush();
            s.shutdownOutput();
        } catch (IOException e) {
            // the client gave up first: that is its business
        }
    }

    @AfterContainer
    static void stopReceiver() throws IOException {
        pooled.close();
        unpooled.close();
        server.close();
        acceptor.shutdownNow();
    }

    @Property
    void anyAnswerIsAResponseOrAnIOException(@ForAll("answers") byte[] answer, @ForAll boolean keepAlive) {
        ANSWER.set(answer);
        WebhookHttp http = keepAlive ? pooled : unpooled;
        String url = "http://127.0.0.1:" + server.getLocalPort() + "/hook";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try {
                WebhookHttp.Response r = WebhookHttpPoolTest.post(http, url, HEADERS, BODY);
                assertThat(r.status()).isBetween(200, 999);
                assertThat(r.body().length()).isLessThanOrEqualTo(MAX_RESPONSE_BYTES);
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage());
                assertThat(m).hasSizeLessThan(400);
                assertThat(m.chars().noneMatch(Character::isISOControl)).as("printable: %s", m).isTrue();
            }
        });
    }

    @Provide
    Arbitrary<byte[]> answers() {
        Arbitrary<String> statusLine = Arbitraries.oneOf(
                Arbitraries.of("HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified",
                        "HTTP/1.1 500 Oops", "HTTP/1.1 100 Continue", "HTTP/1.1 103 Early Hints", "HTTP/1.1 099 x", "HTTP/1.1 -1 x",
                        "HTTP/1.1 +200 x", "HTTP/1.1 2000000000000 x", "HTTP/1.1", "HTTP/2 200", "HTTP/1.1 200\u0000", "garbage", ""),
                Arbitraries.integers().between(-1000, 100_000).map(i -> "HTTP/1.1 " + i + " x"));
        Arbitrary<String> header = Arbitraries.oneOf(
                Arbitraries.of("Content-Length: 0", "Content-Length: 5", "Content-Length: -5", "Content-Length: 99999999999999999999",
                        "Content-Length: 9223372036854775807", "Content-Length: x", "Transfer-Encoding: chunked",
                        "Transfer-Encoding: gzip, chunked", "Connection: close", "Connection: keep-alive", "Keep-Alive: timeout=5",
                        "Keep-Alive: timeout=-99999999999999", "Keep-Alive: timeout=99999999999999999999", "X: \u0000\u00ff", ": empty",
                        "no colon"),
                Arbitraries.strings().ascii().ofMaxLength(100).map(v -> "X-Fuzz: " + v));
        Arbitrary<String> chunk = Arbitraries.oneOf(
                Arbitraries.of("0", "5", "-1", "-5", "ffffffffffffffff", "7fffffffffffffff", "1;ext=1", "zz", "", "0\r\nTrailer: x"),
                Arbitraries.integers().between(0, 5000).map(Integer::toHexString));
        Arbitrary<String> body = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200),
                Arbitraries.integers().between(0, 10_000).map("x"::repeat));
        Arbitrary<String> line = Arbitraries.oneOf(statusLine, header, chunk, body, Arbitraries.just(""));
        Arbitrary<String> eol = Arbitraries.of("\r\n", "\n", "\r", "");
        Arbitrary<String> structured = net.jqwik.api.Combinators.combine(line, eol).as((l, e) -> l + e).list().ofMaxSize(30)
                .map(l -> String.join("", l));
        Arbitrary<String> interimFlood = Arbitraries.integers().between(0, 40)
                .map(n -> "HTTP/1.1 100 Continue\r\n\r\n".repeat(n) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Arbitrary<byte[]> text = Arbitraries.oneOf(structured, structured.map(s -> "HTTP/1.1 200 OK\r\n" + s), interimFlood)
                .map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.oneOf(text, bytes);
    }
}
