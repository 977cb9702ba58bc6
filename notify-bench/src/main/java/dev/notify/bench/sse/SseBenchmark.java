package dev.notify.bench.sse;

import dev.notify.bench.BenchSupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SSE figures of a real {@code notify-server.jar} process (H2 store), driven from this process
 * over loopback: idle connections held and heap per connection, a topic broadcast to many
 * streams, and publish-to-receive latency under a steady publish rate.
 *
 * <p>The server runs in its own JVM so its heap is measured alone ({@code jcmd GC.run} then
 * {@code GC.heap_info}). The client side is one NIO selector thread for every stream, so the
 * latencies include the time this single thread takes to read them all: they are upper bounds.
 * Streams are requested with HTTP/1.0, so the body arrives unchunked and parsing stays trivial.
 *
 * <pre>
 * mvn -q -o package -pl notify-server -DskipTests
 * mvn -q -o compile -pl notify-bench
 * java -cp notify-bench/target/classes dev.notify.bench.sse.SseBenchmark \
 *      --jar notify-server/target/notify-server.jar --idle 15000 --broadcast 10000 --users 1000 --rate 1000 --seconds 10
 * </pre>
 *
 * <p>{@code --settle-seconds N} pauses N seconds after the broadcast's warm-up rounds (and after the
 * latency phase's warm-up, {@code --latency-warmup-seconds N} of the same load, not counted), so the
 * JIT's queue drains before anything is measured, as on a server that has run for a while: on two cores
 * the C2 compiler otherwise still works through the warm-up's methods during the measured rounds, and a
 * build with more code pays more of that inside the figures (docs/benchmarks.md, issue 12, session 13).
 *
 * <p>{@code --histogram FILE} also writes the server's class histogram ({@code jcmd GC.class_histogram})
 * while the first {@code --broadcast} streams are open: where the heap per stream goes.
 */
public final class SseBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
    private static final Pattern TITLE = Pattern.compile("\"title\":\"([0-9]+)\"");

    private final String host = "127.0.0.1";
    private int port;
    private Process server;
    private long serverPid;
    private int settleSeconds;
    private int latencyWarmupSeconds;
    // the next title number of the latency phase (warm-up and measured titles never repeat)
    private int titles;
    private final Reactor reactor = new Reactor();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar",
                "--idle", "15000", "--broadcast", "10000", "--rounds", "5", "--users", "1000", "--rate", "1000",
                "--seconds", "10", "--server-heap", "2g", "--warmup-rounds", "5", "--warmup-publishes", "200"));
        a.put("--settle-seconds", "0");
        a.put("--latency-warmup-seconds", "0");
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        new SseBenchmark().run(a);
    }

    private void run(Map<String, String> a) throws Exception {
        int idle = Integer.parseInt(a.get("--idle"));
        int broadcast = Integer.parseInt(a.get("--broadcast"));
        int rounds = Integer.parseInt(a.get("--rounds"));
        int warmupRounds = Integer.parseInt(a.get("--warmup-rounds"));
        int warmupPublishes = Integer.parseInt(a.get("--warmup-publishes"));
        settleSeconds = Integer.parseInt(a.get("--settle-seconds"));
        latencyWarmupSeconds = Integer.parseInt(a.get("--latency-warmup-seconds"));
        int users = Integer.parseInt(a.get("--users"));
        int rate = Integer.parseInt(a.get("--rate"));
        int seconds = Integer.parseInt(a.get("--seconds"));
        startServer(Path.of(a.get("--jar")), a.get("--server-heap"));
        Thread reactorThread = new Thread(reactor, "bench-reactor");
        reactorThread.setDaemon(true);
        reactorThread.start();
        try {
            // warm-up: a few streams and enough publishes that the publish path (HTTP, store, JSON) is compiled
            // before anything is measured, as in a server that has been running a while
            List<Conn> warm = open("warm", 50, "bench:warm");
            for (int i = 0; i < warmupPublishes; i++) {
                publish("{\"topic\":\"bench:warm\",\"event\":\"bench.warm\",\"title\":\"" + i + "\"}");
            }
            closeAll(warm);
            Thread.sleep(1000);

            long before = heapUsedAfterGc();
            long rssBefore = rssKb();
            int first = Math.min(broadcast, idle);
            List<Conn> conns = new ArrayList<>(open("idle", first, "bench:all"));
            if (first > 0) {
                long heapAtFirst = heapUsedAfterGc();
                System.out.printf("%n== idle: %d streams: server heap %d KiB -> %d KiB after GC, %.2f KiB per stream; RSS +%d KiB;"
                                + " open fds: server %d, this client %d%n",
                        first, before / 1024, heapAtFirst / 1024, (heapAtFirst - before) / 1024.0 / first, rssKb() - rssBefore,
                        openFds(), ownFds());
                if (a.containsKey("--histogram")) {
                    // where the per-stream heap goes: the server's live classes with the streams open
                    Files.writeString(Path.of(a.get("--histogram")), jcmd("GC.class_histogram"));
                }
            }

            if (first > 0) {
                broadcast(conns.subList(0, first), warmupRounds, rounds);
            }
            if (idle > first) {
                conns.addAll(open("idle2", idle - first, "bench:all"));
                long heapAll = heapUsedAfterGc();
                System.out.printf("== idle: %d streams held: server heap %d KiB after GC, %.2f KiB per stream; RSS +%d KiB; open fds %d%n",
                        conns.size(), heapAll / 1024, (heapAll - before) / 1024.0 / conns.size(), rssKb() - rssBefore, openFds());
            }
            closeAll(conns);
            Thread.sleep(2000);

            if (users > 0) {
                latency(users, rate, seconds);
            }
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    // ---- scenarios ------------------------------------------------------------------------------

    // the first warmupRounds broadcasts reach every stream as the measured ones do but are left out of the
    // figures: they get the JIT through the full-size fan-out's paths, as a long-running server has
    private void broadcast(List<Conn> conns, int warmupRounds, int rounds) throws Exception {
        List<Long> latencies = new ArrayList<>();
        List<Long> lastArrivals = new ArrayList<>();
        long cpu0 = 0;
        Map<String, Long> threads0 = Map.of();
        for (int r = -warmupRounds; r < rounds; r++) {
            if (r == 0 && settleSeconds > 0) {
                // the JIT's queue drains while nothing else runs, as on a server that has run for a while
                Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
            }
            if (r == 0) {
                cpu0 = serverCpuMillis();
                threads0 = serverThreadCpuMillis();
            }
            for (Conn c : conns) {
                c.received = 0;
            }
            String title = Integer.toString(1_000_000 + warmupRounds + r);
            long t0 = System.nanoTime();
            publish("{\"topic\":\"bench:all\",\"event\":\"bench.broadcast\",\"title\":\"" + title + "\"}");
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && count(conns) < conns.size()) {
                Thread.sleep(5);
            }
            long last = 0;
            int got = 0;
            List<Long> round = new ArrayList<>();
            for (Conn c : conns) {
                if (c.received != 0) {
                    got++;
                    round.add(c.received - t0);
                    last = Math.max(last, c.received - t0);
                }
            }
            if (r < 0) {
                System.out.printf("   warm-up broadcast %d: %d/%d streams received it, last after %.1f ms (not counted)%n",
                        r + warmupRounds + 1, got, conns.size(), last / 1e6);
            } else {
                latencies.addAll(round);
                lastArrivals.add(last);
                System.out.printf("   broadcast round %d: %d/%d streams received it, last after %.1f ms%n", r + 1, got, conns.size(), last / 1e6);
            }
            Thread.sleep(500);
        }
        long cpu = serverCpuMillis() - cpu0;
        String byThread = BenchSupport.threadCpuDelta(threads0, serverThreadCpuMillis());
        System.out.printf("   server CPU over the %d rounds (500 ms pause after each): %d ms (%.0f ms per broadcast)%n", rounds, cpu, cpu / (double) rounds);
        System.out.println("   server CPU by thread group (ms over the rounds): " + byThread);
        System.out.printf("== broadcast of one topic event to %d streams, %d rounds: publish-to-receive p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                conns.size(), rounds, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
    }

    private long serverCpuMillis() {
        return BenchSupport.processCpuMillis(serverPid);
    }

    private Map<String, Long> serverThreadCpuMillis() {
        return BenchSupport.threadCpuMillis(serverPid);
    }

    private static int count(List<Conn> conns) {
        int n = 0;
        for (Conn c : conns) {
            if (c.received != 0) {
                n++;
            }
        }
        return n;
    }

    private void latency(int users, int rate, int seconds) throws Exception {
        List<Conn> conns = open("lat", users, null);
        if (latencyWarmupSeconds > 0) {
            // the same load, not counted: the JIT gets through the publish and delivery paths first
            paced(users, rate, latencyWarmupSeconds, "warm-up");
            if (settleSeconds > 0) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
            }
        }
        paced(users, rate, seconds, null);
        closeAll(conns);
    }

    // publishes to random users of the lat-N streams at a fixed rate; prints the latencies unless it is a warm-up
    private void paced(int users, int rate, int seconds, String warmup) throws Exception {
        Map<Integer, Long> sent = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        reactor.onTitle = (title, at) -> {
            Long t = sent.remove(title);
            if (t != null) {
                latencies.add(at - t);
            }
        };
        int publishers = 4;
        int total = rate * seconds;
        int base = titles;
        titles += total;
        AtomicInteger seq = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(publishers);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int p = 0; p < publishers; p++) {
            Thread t = new Thread(() -> {
                try (Publisher pub = new Publisher()) {
                    int i;
                    while ((i = seq.getAndIncrement()) < total) {
                        long due = start + i * intervalNanos;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        int user = ThreadLocalRandom.current().nextInt(users);
                        int title = base + i;
                        sent.put(title, System.nanoTime());
                        pub.post("{\"recipients\":[\"lat-" + user + "\"],\"event\":\"bench.latency\",\"title\":\"" + title + "\"}");
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            }, "bench-publisher-" + p);
            t.start();
        }
        done.await();
        long elapsed = System.nanoTime() - start;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sent.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        reactor.onTitle = null;
        List<Long> l = new ArrayList<>(latencies);
        if (warmup != null) {
            System.out.printf("   latency %s: %d notifications in %.1f s, received %d (not counted)%n", warmup, total, elapsed / 1e9, l.size());
            return;
        }
        System.out.printf("== latency: %d notifications to %d users at %.0f/s offered (%d/s target): received %d, lost %d;"
                        + " publish-to-receive p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                total, users, total / (elapsed / 1e9), rate, l.size(), sent.size(), pct(l, 50), pct(l, 90), pct(l, 99), pct(l, 100));
    }

    // ---- the server process -----------------------------------------------------------------

    private void startServer(Path jar, String heap) throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = BenchSupport.tempDir("notify-bench-sse-"); // deleted when this JVM exits
        List<String> cmd = List.of("java", "-Xms" + heap, "-Xmx" + heap, "-jar", jar.toString(),
                "--host", host, "--port", Integer.toString(port), "--data-dir", data.toString(),
                "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false");
        System.out.println("server: " + String.join(" ", cmd));
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        serverPid = server.pid();
        BenchSupport.awaitListening(server, host, port, data.resolve("server.log"));
    }

    private long heapUsedAfterGc() throws Exception {
        jcmd("GC.run");
        Thread.sleep(500);
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("cannot read the heap from: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(serverPid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** This client's descriptors: its streams, the selector's and the JVM's own, under the same process limit. */
    private static long ownFds() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private long openFds() {
        String[] fds = new java.io.File("/proc/" + serverPid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    // ---- streams ----------------------------------------------------------------------------

    /** Opens {@code n} streams of users {@code prefix-0..n-1}, in batches, and waits for every greeting. */
    private List<Conn> open(String prefix, int n, String topic) throws Exception {
        List<Conn> out = new ArrayList<>(n);
        long t0 = System.nanoTime();
        int batch = 500;
        for (int from = 0; from < n; from += batch) {
            List<Conn> these = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                String user = prefix + "-" + i;
                String path = "/api/v1/notifications/stream" + (topic == null ? "" : "?topics=" + topic);
                String req = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer "
                        + jwt(user, "bench:*") + "\r\n\r\n";
                Conn c = new Conn(req.getBytes(StandardCharsets.US_ASCII));
                these.add(c);
                reactor.connect(c, new InetSocketAddress(host, port));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Conn c : these) {
                while (!c.greeted && !c.failed && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (!c.greeted) {
                    throw new IllegalStateException("stream " + out.size() + " of " + prefix + " was not greeted (failed=" + c.failed + "): " + c.head);
                }
            }
            out.addAll(these);
        }
        System.out.printf("   opened %d streams (%s) in %.1f s%n", n, prefix, (System.nanoTime() - t0) / 1e9);
        return out;
    }

    private void closeAll(List<Conn> conns) {
        for (Conn c : conns) {
            reactor.close(c);
        }
    }

    private void publish(String json) throws IOException {
        try (Publisher p = new Publisher()) {
            p.post(json);
        }
    }

    /** HTTP/1.1 keep-alive POSTs to /api/v1/notifications on one blocking socket. */
    private final class Publisher implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Publisher() throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        void post(String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST /api/v1/notifications HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + API_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = readLine();
            int length = 0;
            String line;
            while (!(line = readLine()).isEmpty()) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] answer = in.readNBytes(length);
            if (!status.contains(" 202 ")) {
                throw new IOException("publish answered " + status + ": " + new String(answer, StandardCharsets.UTF_8));
            }
        }

        private String readLine() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            if (c == -1 && sb.length() == 0) {
                throw new IOException("connection closed");
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String jwt(String user, String topics) {
        return BenchSupport.jwt(user, topics, JWT_SECRET);
    }

    private static double pct(List<Long> nanos, double p) {
        return BenchSupport.percentileMillis(nanos, p);
    }

    // ---- the client's single selector thread --------------------------------------------------

    /** One stream as the client sees it. */
    static final class Conn {
        final byte[] request;
        SocketChannel channel;
        final StringBuilder line = new StringBuilder();
        String head = "";
        boolean headDone;
        volatile boolean greeted;
        volatile boolean failed;
        volatile long received;
        String event;

        Conn(byte[] request) {
            this.request = request;
        }
    }

    interface TitleListener {
        void received(int title, long atNanos);
    }

    private static final class Reactor implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        volatile TitleListener onTitle;

        Reactor() {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void connect(Conn c, InetSocketAddress address) {
            tasks.add(() -> {
                try {
                    c.channel = SocketChannel.open();
                    c.channel.configureBlocking(false);
                    c.channel.connect(address);
                    c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                } catch (IOException e) {
                    c.failed = true;
                }
            });
            selector.wakeup();
        }

        void close(Conn c) {
            tasks.add(() -> {
                try {
                    if (c.channel != null) {
                        c.channel.close();
                    }
                } catch (IOException e) {
                    // closing anyway
                }
            });
            selector.wakeup();
        }

        @Override
        public void run() {
            while (true) {
                try {
                    Runnable t;
                    while ((t = tasks.poll()) != null) {
                        t.run();
                    }
                    selector.select(100);
                    long now = System.nanoTime();
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        Conn c = (Conn) k.attachment();
                        try {
                            if (k.isConnectable()) {
                                c.channel.finishConnect();
                                // the request is small: one write on a fresh socket takes it all
                                c.channel.write(ByteBuffer.wrap(c.request));
                                k.interestOps(SelectionKey.OP_READ);
                            } else if (k.isReadable()) {
                                read(c, k, now);
                            }
                        } catch (IOException e) {
                            c.failed = true;
                            k.cancel();
                            c.channel.close();
                        }
                    }
                } catch (IOException e) {
                    e.printStackTrace();
                    return;
                }
            }
        }

        private void read(Conn c, SelectionKey k, long now) throws IOException {
            buffer.clear();
            int n = c.channel.read(buffer);
            if (n < 0) {
                k.cancel();
                c.channel.close();
                return;
            }
            buffer.flip();
            BenchSupport.lines(buffer, c.line, l -> line(c, l, now));
        }

        private void line(Conn c, String line, long now) {
            if (!c.headDone) {
                if (c.head.isEmpty()) {
                    c.head = line;
                    if (!line.contains(" 200")) {
                        c.failed = true;
                    }
                }
                if (line.isEmpty()) {
                    c.headDone = true;
                }
                return;
            }
            if (line.startsWith("event: ")) {
                c.event = line.substring(7);
                if ("recent".equals(c.event)) {
                    c.greeted = true;
                } else if ("bench.broadcast".equals(c.event)) {
                    c.received = now;
                }
            } else if (line.startsWith("data: ") && "bench.latency".equals(c.event)) {
                TitleListener l = onTitle;
                Matcher m = TITLE.matcher(line);
                if (l != null && m.find()) {
                    l.received(Integer.parseInt(m.group(1)), now);
                }
            } else if (line.isEmpty()) {
                c.event = null;
            }
        }
    }
}
