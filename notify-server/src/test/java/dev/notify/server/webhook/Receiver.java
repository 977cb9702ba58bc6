package dev.notify.server.webhook;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real webhook receiver on loopback over plain sockets (HTTP/1.1, one request per connection):
 * answers each request with the next scripted answer (the last one repeats) and records it.
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

    /** What one request carried (header names lower-case). */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }
    }

    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "receiver");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    private Receiver() throws IOException {
        socket = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
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
    }

    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The next request received, waiting up to 10 s. */
    public Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the receiver got no request within 10 s");
        }
        return r;
    }

    /** How many requests arrived so far. */
    public int count() {
        return count.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                pool.execute(() -> handle(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private Answer nextAnswer() {
        synchronized (script) {
            return script.size() > 1 ? script.pollFirst() : script.peekFirst();
        }
    }

    private void handle(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            String requestLine = line(in);
            if (requestLine == null) {
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                int c = l.indexOf(':');
                headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), List.of(l.substring(c + 1).trim()));
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", List.of("0")).get(0));
            byte[] body = in.readNBytes(length);
            String[] parts = requestLine.split(" ");
            Answer a = nextAnswer();
            count.incrementAndGet();
            received.add(new Received(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8)));
            if (a.hang()) {
                release.await(60, TimeUnit.SECONDS);
                return;
            }
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder("HTTP/1.1 " + a.status() + " X\r\n");
            a.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(out.length).append("\r\nConnection: close\r\n\r\n");
            OutputStream os = s.getOutputStream();
            os.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            os.write(out);
            os.flush();
        } catch (IOException | RuntimeException e) {
            // a client that went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        release.countDown();
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        pool.shutdownNow();
    }
}
