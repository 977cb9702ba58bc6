package dev.notify.bench.ws;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * WebSocket broadcast figures of a real {@code notify-server.jar} process (H2 store), driven from
 * this process over loopback with java.net.http's WebSocket client: one topic event published to
 * N open connections, and the time from the publish request until each connection received it.
 *
 * <p>Server and clients run in separate JVMs, so each process holds one file descriptor per
 * connection (10,000 connections stay well under a 20,000 open-file limit). The clients are spread
 * over a few {@link HttpClient}s, each with its own selector thread; arrival is stamped in the
 * listener, so the figures include the client side's own reading and are upper bounds.
 *
 * <pre>
 * mvn -q -o package -pl notify-server -DskipTests
 * mvn -q -o compile -pl notify-bench
 * java -Xmx2g -cp notify-bench/target/classes dev.notify.bench.ws.WsBenchmark \
 *      --jar notify-server/target/notify-server.jar --connections 10000 --rounds 10
 * </pre>
 */
public final class WsBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
    private static final String HOST = "127.0.0.1";

    private int port;
    private Process server;
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar",
                "--connections", "10000", "--rounds", "10", "--clients", "4", "--server-heap", "2g"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        new WsBenchmark().run(a);
    }

    private void run(Map<String, String> a) throws Exception {
        int n = Integer.parseInt(a.get("--connections"));
        int rounds = Integer.parseInt(a.get("--rounds"));
        int nClients = Integer.parseInt(a.get("--clients"));
        for (int i = 0; i < nClients; i++) {
            ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "bench-ws-client");
                t.setDaemon(true);
                return t;
            });
            executors.add(ex);
            clients.add(HttpClient.newBuilder().executor(ex).connectTimeout(Duration.ofSeconds(30)).build());
        }
        startServer(Path.of(a.get("--jar")), a.get("--server-heap"));
        try {
            // warm-up: connections and publishes so the server's classes and JIT are past their first use
            List<Conn> warm = open("warm", 200);
            for (int r = 0; r < 20; r++) {
                broadcastOnce(warm, "warm-" + r);
            }
            closeAll(warm);

            List<Conn> conns = open("ws", n);
            List<Long> all = new ArrayList<>();
            List<Long> lastPerRound = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long[] lat = broadcastOnce(conns, "round-" + r);
                long last = 0;
                int got = 0;
                for (long l : lat) {
                    if (l >= 0) {
                        all.add(l);
                        last = Math.max(last, l);
                        got++;
                    }
                }
                lastPerRound.add(last);
                List<Long> round = new ArrayList<>();
                for (long l : lat) {
                    if (l >= 0) {
                        round.add(l);
                    }
                }
                System.out.printf("   round %d: %d/%d connections received it; p50 %.1f ms, p99 %.1f ms, last %.1f ms%n",
                        r + 1, got, conns.size(), pct(round, 50), pct(round, 99), last / 1e6);
                Thread.sleep(500);
            }
            System.out.printf("== broadcast of one topic event to %d WebSocket connections, %d rounds: publish-to-receive"
                            + " p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; slowest round's last arrival %.1f ms%n",
                    conns.size(), rounds, pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 100),
                    lastPerRound.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6);
            closeAll(conns);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
            executors.forEach(ExecutorService::shutdownNow);
        }
    }

    /** Publishes one topic event and returns each connection's publish-to-receive nanos (-1: not within 30 s). */
    private long[] broadcastOnce(List<Conn> conns, String title) throws Exception {
        for (Conn c : conns) {
            c.expect(title);
        }
        long t0 = System.nanoTime();
        publish("{\"topic\":\"bench:all\",\"event\":\"bench.broadcast\",\"title\":\"" + title + "\"}");
        long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
        for (Conn c : conns) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                c.arrived.get().await(left, TimeUnit.NANOSECONDS);
            }
        }
        long[] out = new long[conns.size()];
        for (int i = 0; i < out.length; i++) {
            long at = conns.get(i).receivedAt;
            out[i] = at == 0 ? -1 : at - t0;
        }
        return out;
    }

    // ---- connections ---------------------------------------------------------------------------

    /** One connection as the client sees it: it waits for one title and stamps when it arrived. */
    static final class Conn implements WebSocket.Listener {
        final CompletableFuture<Void> greeted = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> arrived =
                new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CountDownLatch(1));
        volatile String expected;
        volatile long receivedAt;
        WebSocket socket;
        private final StringBuilder partial = new StringBuilder();

        void expect(String title) {
            receivedAt = 0;
            arrived.set(new java.util.concurrent.CountDownLatch(1));
            expected = "\"title\":\"" + title + "\"";
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.startsWith("{\"type\":\"stats\"")) {
                    greeted.complete(null);
                }
                String e = expected;
                if (e != null && frame.contains(e)) {
                    receivedAt = now;
                    arrived.get().countDown();
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            greeted.completeExceptionally(error);
        }
    }

    private List<Conn> open(String prefix, int n) throws Exception {
        List<Conn> out = new ArrayList<>(n);
        long t0 = System.nanoTime();
        int batch = 250;
        AtomicInteger failed = new AtomicInteger();
        for (int from = 0; from < n; from += batch) {
            List<CompletableFuture<Void>> these = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                Conn c = new Conn();
                HttpClient http = clients.get(i % clients.size());
                URI uri = URI.create("ws://" + HOST + ":" + port + "/api/v1/notifications/ws?topics=bench:all");
                these.add(http.newWebSocketBuilder().header("Authorization", "Bearer " + jwt(prefix + "-" + i, "bench:*"))
                        .connectTimeout(Duration.ofSeconds(30))
                        .buildAsync(uri, c)
                        .thenCompose(ws -> {
                            c.socket = ws;
                            return c.greeted;
                        })
                        .whenComplete((v, e) -> {
                            if (e != null && failed.getAndIncrement() == 0) {
                                e.printStackTrace();
                            }
                        }));
                out.add(c);
            }
            CompletableFuture.allOf(these.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " connections of " + prefix + " failed");
        }
        System.out.printf("   opened %d WebSocket connections (%s) in %.1f s%n", n, prefix, (System.nanoTime() - t0) / 1e9);
        return out;
    }

    private static void closeAll(List<Conn> conns) {
        for (Conn c : conns) {
            if (c.socket != null) {
                c.socket.abort();
            }
        }
    }

    // ---- the server process ----------------------------------------------------------------------

    private void startServer(Path jar, String heap) throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createTempDirectory("notify-bench-ws-");
        List<String> cmd = List.of("java", "-Xms" + heap, "-Xmx" + heap, "-jar", jar.toString(),
                "--host", HOST, "--port", Integer.toString(port), "--data-dir", data.toString(),
                "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false");
        System.out.println("server: " + String.join(" ", cmd));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                new Socket(HOST, port).close();
                return;
            } catch (IOException e) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("the server exited: see " + data.resolve("server.log"));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the server did not listen within 60 s");
    }

    private void publish(String json) throws IOException {
        try (Socket socket = new Socket(HOST, port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST /api/v1/notifications HTTP/1.1\r\nHost: " + HOST + "\r\nAuthorization: Bearer " + API_KEY
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            byte[] status = new byte[12];
            int read = in.readNBytes(status, 0, status.length);
            String s = new String(status, 0, read, StandardCharsets.US_ASCII);
            if (!s.endsWith("202")) {
                throw new IOException("publish answered " + s + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    private static String jwt(String user, String topics) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = System.currentTimeMillis() / 1000 + 3600;
        String payload = b64.encodeToString(("{\"sub\":\"" + user + "\",\"exp\":" + exp + ",\"topics\":[\"" + topics + "\"]}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String sig = b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
            return header + "." + payload + "." + sig;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double pct(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        int i = (int) Math.ceil(p / 100.0 * a.length) - 1;
        return a[Math.max(0, Math.min(a.length - 1, i))] / 1e6;
    }
}
