package dev.notify.bench.ws;

import dev.notify.bench.BenchSupport;
import dev.notify.bench.ws.NioWsClient.NioConn;
import dev.notify.bench.ws.NioWsClient.Reactor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.security.MessageDigest;

/**
 * WebSocket broadcast figures of a real {@code notify-server.jar} process (H2 store), driven from
 * this process over loopback: one topic event published to N open connections, and the time from
 * the publish request until each connection received it.
 *
 * <p>Server and clients run in separate JVMs, so each process holds one file descriptor per
 * connection (10,000 connections stay well under a 20,000 open-file limit). Two clients:
 * <ul>
 *   <li>{@code --client nio} (default): one NIO selector thread for every connection, as the SSE
 *       benchmark does. It performs the upgrade itself (HTTP/1.1 GET with {@code Upgrade: websocket}
 *       and a {@code Sec-WebSocket-Key}, checks the 101 and {@code Sec-WebSocket-Accept}), parses the
 *       server's frames (unmasked; 7/16/64-bit lengths; continuation frames collected) and answers
 *       pings with masked pongs. Arrival is stamped right after the read that completed the frame.</li>
 *   <li>{@code --client jdk}: java.net.http {@link WebSocket}s spread over {@code --clients}
 *       {@link HttpClient}s (each with its own selector thread and 2 listener threads); arrival is
 *       stamped in the listener.</li>
 * </ul>
 * Either way the client's own reading is inside the figures, so they are upper bounds.
 *
 * <pre>
 * mvn -q -o install -DskipTests -pl notify-channel-ws,notify-server
 * mvn -q -o compile -pl notify-bench
 * java -Xmx2g -cp notify-bench/target/classes dev.notify.bench.ws.WsBenchmark \
 *      --jar notify-server/target/notify-server.jar --connections 10000 --rounds 10 [--client nio|jdk]
 * </pre>
 */
public final class WsBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
    private static final String HOST = "127.0.0.1";

    private static final String PATH = "/api/v1/notifications/ws?topics=bench:all";

    private int port;
    // how long the last publish took to be answered (202), in nanos
    private long accepted;
    private Process server;
    private String client;
    private final Reactor reactor = new Reactor();
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar",
                "--connections", "10000", "--rounds", "10", "--client", "nio", "--clients", "4", "--server-heap", "2g", "--server-opts", "", "--warmup-rounds", "5", "--warmup-publishes", "200"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        new WsBenchmark().run(a);
    }

    private void run(Map<String, String> a) throws Exception {
        int n = Integer.parseInt(a.get("--connections"));
        int rounds = Integer.parseInt(a.get("--rounds"));
        int warmupRounds = Integer.parseInt(a.get("--warmup-rounds"));
        int warmupPublishes = Integer.parseInt(a.get("--warmup-publishes"));
        client = a.get("--client");
        if (!client.equals("nio") && !client.equals("jdk")) {
            throw new IllegalArgumentException("--client is nio or jdk, got " + client);
        }
        if (client.equals("jdk")) {
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
        } else {
            Thread t = new Thread(reactor, "bench-ws-nio");
            t.setDaemon(true);
            t.start();
        }
        System.out.println("client: " + (client.equals("nio") ? "one NIO selector thread (raw WebSocket frames)"
                : clients.size() + " java.net.http HttpClients"));
        startServer(Path.of(a.get("--jar")), a.get("--server-heap"), a.get("--server-opts"));
        try {
            // warm-up: connections and publishes so the server's classes and JIT are past their first use
            List<Conn> warm = open("warm", 200);
            for (int r = 0; r < warmupPublishes; r++) {
                broadcastOnce(warm, "warm-" + r);
            }
            closeAll(warm);

            List<Conn> conns = open("ws", n);
            // full-size broadcasts left out of the figures: they get the JIT through the paths of a 10,000-connection
            // fan-out (the writer pool's among them, which 200 connections never reach), as a long-running server has
            for (int r = 0; r < warmupRounds; r++) {
                long[] lat = broadcastOnce(conns, "warmup-" + r);
                System.out.printf("   warm-up broadcast %d: %d/%d connections received it, last %.1f ms (not counted)%n", r + 1,
                        Arrays.stream(lat).filter(l -> l >= 0).count(), conns.size(), Arrays.stream(lat).max().orElse(0) / 1e6);
                Thread.sleep(500);
            }
            Map<String, Long> threads0 = serverThreadCpuMillis();
            long serverCpu0 = serverCpuMillis();
            long clientCpu0 = clientCpuMillis();
            long wall0 = System.nanoTime();
            List<Long> all = new ArrayList<>();
            List<Long> lastPerRound = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long[] lat = broadcastOnce(conns, "round-" + r);
                long last = 0;
                int got = 0;
                List<Long> round = new ArrayList<>();
                for (long l : lat) {
                    if (l >= 0) {
                        all.add(l);
                        round.add(l);
                        last = Math.max(last, l);
                        got++;
                    }
                }
                lastPerRound.add(last);
                System.out.printf("   round %d: %d/%d connections received it; first %.1f ms, p50 %.1f ms, p99 %.1f ms, last %.1f ms"
                                + " (publish answered after %.1f ms)%n", r + 1, got, conns.size(), pct(round, 0), pct(round, 50),
                        pct(round, 99), last / 1e6, accepted / 1e6);
                Thread.sleep(500);
            }
            long serverCpu = serverCpuMillis() - serverCpu0;
            long clientCpu = clientCpuMillis() - clientCpu0;
            String byThread = BenchSupport.threadCpuDelta(threads0, serverThreadCpuMillis());
            System.out.printf("   CPU over the %d rounds (%.1f s of wall time, 500 ms pause after each): server %d ms (%.0f ms per broadcast),"
                            + " benchmark client %d ms (%.0f ms per broadcast)%n", rounds, (System.nanoTime() - wall0) / 1e9,
                    serverCpu, serverCpu / (double) rounds, clientCpu, clientCpu / (double) rounds);
            System.out.println("   server CPU by thread group (ms over the rounds): " + byThread);
            System.out.printf("== broadcast of one topic event to %d WebSocket connections (%s client), %d rounds: publish-to-receive"
                            + " p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; slowest round's last arrival %.1f ms%n",
                    conns.size(), client, rounds, pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 100),
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
        CountDownLatch round = new CountDownLatch(conns.size());
        for (Conn c : conns) {
            c.expect(title, round);
        }
        long t0 = System.nanoTime();
        publish("{\"topic\":\"bench:all\",\"event\":\"bench.broadcast\",\"title\":\"" + title + "\"}");
        accepted = System.nanoTime() - t0;
        round.await(30, TimeUnit.SECONDS);
        long[] out = new long[conns.size()];
        for (int i = 0; i < out.length; i++) {
            long at = conns.get(i).receivedAt;
            out[i] = at == 0 ? -1 : at - t0;
        }
        return out;
    }

    // ---- connections ---------------------------------------------------------------------------

    /** One connection as the benchmark sees it: it waits for one title and stamps when it arrived. */
    abstract static class Conn {
        volatile boolean greeted;
        volatile boolean failed;
        volatile String failure = "";
        volatile String expected;
        volatile byte[] expectedBytes;
        volatile long receivedAt;
        private volatile CountDownLatch round;

        void expect(String title, CountDownLatch latch) {
            receivedAt = 0;
            round = latch;
            expected = "\"title\":\"" + title + "\"";
            expectedBytes = expected.getBytes(StandardCharsets.UTF_8);
        }

        // called once per complete text message, with the time its last byte was read
        final void arrived(long now) {
            if (receivedAt == 0) {
                receivedAt = now;
                CountDownLatch l = round;
                if (l != null) {
                    l.countDown();
                }
            }
        }

        final void fail(String why) {
            if (!failed) {
                failure = why;
                failed = true;
            }
        }

        abstract void close();
    }

    /** A java.net.http WebSocket; the listener runs on its HttpClient's executor. */
    static final class JdkConn extends Conn implements WebSocket.Listener {
        WebSocket socket;
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.startsWith("{\"type\":\"stats\"")) {
                    greeted = true;
                }
                String e = expected;
                if (e != null && frame.contains(e)) {
                    arrived(now);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            fail(String.valueOf(error));
        }

        @Override
        void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }

    private List<Conn> open(String prefix, int n) throws Exception {
        List<Conn> out = new ArrayList<>(n);
        long t0 = System.nanoTime();
        // 250 at a time: with bursts of 500 connects, one run in about a dozen saw a connection reset while opening
        int batch = 250;
        for (int from = 0; from < n; from += batch) {
            List<Conn> these = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                String token = jwt(prefix + "-" + i, "bench:*");
                if (client.equals("nio")) {
                    NioConn c = new NioConn(HOST, port, PATH, token);
                    reactor.connect(c, new InetSocketAddress(HOST, port));
                    these.add(c);
                } else {
                    JdkConn c = new JdkConn();
                    HttpClient http = clients.get(i % clients.size());
                    http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                            .connectTimeout(Duration.ofSeconds(30))
                            .buildAsync(URI.create("ws://" + HOST + ":" + port + PATH), c)
                            .whenComplete((ws, e) -> {
                                if (e != null) {
                                    c.fail(String.valueOf(e));
                                } else {
                                    c.socket = ws;
                                }
                            });
                    these.add(c);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (Conn c : these) {
                while (!c.greeted && !c.failed && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (!c.greeted) {
                    throw new IllegalStateException("connection " + out.size() + " of " + prefix + " was not greeted: " + c.failure);
                }
                out.add(c);
            }
        }
        System.out.printf("   opened %d WebSocket connections (%s) in %.1f s%n", n, prefix, (System.nanoTime() - t0) / 1e9);
        return out;
    }

    private void closeAll(List<Conn> conns) {
        for (Conn c : conns) {
            if (c instanceof NioConn) {
                reactor.close((NioConn) c);
            } else {
                c.close();
            }
        }
    }


    // ---- the server process ----------------------------------------------------------------------

    private void startServer(Path jar, String heap, String jvmOptions) throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = BenchSupport.tempDir("notify-bench-ws-"); // deleted when this JVM exits
        List<String> cmd = new ArrayList<>(List.of("java", "-Xms" + heap, "-Xmx" + heap));
        // extra JVM options for the server only (profiling, GC logging); none by default
        for (String o : jvmOptions.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-jar", jar.toString(),
                "--host", HOST, "--port", Integer.toString(port), "--data-dir", data.toString(),
                "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false"));
        System.out.println("server: " + String.join(" ", cmd));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        System.out.println("server pid " + server.pid() + ", log " + data.resolve("server.log"));
        BenchSupport.awaitListening(server, HOST, port, data.resolve("server.log"));
    }

    private long serverCpuMillis() {
        return BenchSupport.processCpuMillis(server.pid());
    }

    private Map<String, Long> serverThreadCpuMillis() {
        return BenchSupport.threadCpuMillis(server.pid());
    }

    private static long clientCpuMillis() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1_000_000;
        }
        return -1;
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
        return BenchSupport.jwt(user, topics, JWT_SECRET);
    }

    private static double pct(List<Long> nanos, double p) {
        return BenchSupport.percentileMillis(nanos, p);
    }
}
