package dev.notify.channel.webhook.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real webhook receiver on loopback: answers each request with the next scripted answer (the
 * last one repeats) and records what it received.
 */
public final class Receiver implements AutoCloseable {

    /** One scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body, boolean hang) {
        public static Answer of(int status) {
            return new Answer(status, Map.of(), "", false);
        }

        public static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body, false);
        }

        public static Answer withHeader(int status, String name, String value) {
            return new Answer(status, Map.of(name, value), "", false);
        }

        public static Answer hanging() {
            return new Answer(0, Map.of(), "", true);
        }
    }

    /** What one request carried. */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
    private volatile Answer last = Answer.of(200, "ok");
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);

    private Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a receiver answering the given answers in order, then the last one forever. */
    public static Receiver start(Answer... answers) {
        try {
            Receiver r = new Receiver();
            r.script(answers);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void script(Answer... answers) {
        script.clear();
        script.addAll(List.of(answers));
        if (answers.length > 0) {
            last = answers[answers.length - 1];
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the receiver got no request within 10 s");
        }
        return r;
    }

    public int count() {
        return received.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()),
                new String(body, StandardCharsets.UTF_8)));
        Answer a = script.size() > 1 ? script.pollFirst() : (script.isEmpty() ? last : script.peekFirst());
        if (a.hang()) {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** A server that accepts, reads the request head and resets the connection (RST). */
    public static final class Resetter implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread thread;

        public Resetter() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        s.getInputStream().read(new byte[1024]);
                        s.setSoLinger(true, 0); // close with RST
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "resetter");
            thread.setDaemon(true);
            thread.start();
        }

        public String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/hook";
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
