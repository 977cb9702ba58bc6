package dev.notify.channel.webhook.internal;

import dev.notify.api.spi.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Answers that the fuzzer (WebhookHttpFuzzTest) found wrongly read by the hand-written client Jetty's
 * replaced (issue 13), kept as plain tests: Jetty's parser and {@link WebhookHttp}'s limits must read them right too.
 */
class WebhookHttpAnswersTest {

    private ServerSocket server;
    private WebhookHttp http;

    @AfterEach
    void close() throws IOException {
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * POSTs to a receiver that answers {@code answer} at once, before it has read the request (as a
     * hostile receiver may), and closes; what the POST throws, or null.
     */
    private Throwable post(String answer) throws IOException {
        return post(answer, false);
    }

    /**
     * POSTs to a receiver that answers {@code answer} and closes, after reading the whole request when
     * {@code afterRequest} (as a real server sends an interim answer: it answers a request it has read);
     * what the POST throws, or null.
     */
    private Throwable post(String answer, boolean afterRequest) throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                if (afterRequest) {
                    readRequest(s.getInputStream());
                }
                OutputStream out = s.getOutputStream();
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
            } catch (IOException e) {
                // the client closed first
            }
        });
        t.setDaemon(true);
        t.start();
        http = new WebhookHttp(new AddressPolicy(true, List.of(), InetAddress::getAllByName),
                WebhookSettings.from(Config.of(Map.of("allow-private-networks", "true", "request-timeout", "3s"))));
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> catchThrowable(() -> WebhookHttpPoolTest.post(http,
                "http://127.0.0.1:" + server.getLocalPort() + "/hook", List.of(), "{}".getBytes(StandardCharsets.UTF_8))));
    }

    /** Reads a request head and its two-byte body ({@code {}}), the one request {@link #post} sends. */
    private static void readRequest(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the request ended in its head");
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        if (in.readNBytes(2).length != 2) {
            throw new EOFException("the request ended in its body");
        }
    }

    /**
     * A malformed answer fails the POST. Usually at once; on a loaded machine Jetty has been seen to read
     * the whole bad answer before it finished writing the request and then wait for the deadline: a
     * failure all the same, within the attempt's deadline, never a success.
     */
    private static void failedOrTimedOut(Throwable e) {
        assertThat(e.getMessage()).containsAnyOf("malformed answer", "before a complete answer", "no answer within");
    }

    @Test
    @DisplayName("a flood of 100 Continue answers is an IOException, not a StackOverflowError that kills the worker")
    void interimFloodIsRefused() throws IOException {
        Throwable e = post("HTTP/1.1 100 Continue\r\n\r\n".repeat(100_000) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true);
        assertThat(e).isInstanceOf(IOException.class).hasMessageContaining("more than 16 interim (1xx) answers");
    }

    /**
     * The same flood before the request is written: Jetty may then read it as a closed connection or
     * wait for the deadline (seen about once in 40 POSTs on a loaded machine) instead of counting it;
     * whichever, the POST fails within its deadline and nothing else is hurt.
     */
    @Test
    void anInterimFloodBeforeTheRequestFailsThePostToo() throws IOException {
        Throwable e = post("HTTP/1.1 100 Continue\r\n\r\n".repeat(100_000) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(e).isInstanceOf(IOException.class)
                .satisfies(x -> assertThat(x.getMessage()).containsAnyOf("more than 16 interim", "before a complete answer", "no answer within"));
    }

    /**
     * Interim answers to a request the receiver has read. (Sent before the request is even written, as
     * {@link #post(String)} does, Jetty 12.1 has been seen to wait for the deadline about once in a
     * hundred POSTs on a loaded machine: a timed-out attempt that is retried, bounded like any other.)
     */
    @Test
    void aFewInterimAnswersAreSkipped() throws IOException {
        assertThat(post("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", true)).isNull();
    }

    @Test
    @DisplayName("a negative chunk size is malformed, not an instruction to read to the end: the POST fails")
    void negativeChunkSizeIsMalformed() throws IOException {
        assertThat(post("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\nok\r\n0\r\n\r\n"))
                .isInstanceOf(IOException.class).satisfies(WebhookHttpAnswersTest::failedOrTimedOut);
    }

    @Test
    @DisplayName("a status code is three digits from 100: +200, -1 and 099 are malformed")
    void statusCodesAreThreeDigits() throws IOException {
        for (String status : List.of("+200", "-1", "099", "20", "2000")) {
            assertThat(post("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\n\r\n")).as(status)
                    .isInstanceOf(IOException.class).satisfies(WebhookHttpAnswersTest::failedOrTimedOut);
            http.close();
            server.close();
        }
    }

    @Test
    void linesQuotedInMessagesAreEscaped() throws IOException {
        Throwable e = post("HTTP/1.1 2\u00000\u001b[31m X\r\n\r\n");
        assertThat(e).isInstanceOf(IOException.class);
        assertThat(e.getMessage()).doesNotContain("\u0000").doesNotContain("\u001b").hasSizeLessThan(400);
    }
}
