package dev.notify.bench.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.notify.bench.BenchSupport;
import dev.notify.testkit.PostgresServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook throughput of 1 and of 3 real {@code notify-server.jar} processes on one throw-away
 * PostgreSQL, sharing the work (issue 16: it must not fall with more nodes). A receiver in this JVM
 * answers every webhook 204 after {@code --receiver-delay-ms} (a receiver that does some work);
 * {@code --endpoints} endpoints each get every notification. Two ways of sharing, each measured with
 * 1 and 3 nodes on a fresh database:
 * <ul>
 *   <li>{@code live}: the notifications are published round-robin over the nodes (as a load
 *       balancer spreads them) and each node delivers what it accepted at once;</li>
 *   <li>{@code backlog}: all are published on node A due 20 s later ({@code --backlog-delay-seconds}), so that no node holds
 *       them; when they fall due the nodes claim them from the database ({@code FOR UPDATE SKIP
 *       LOCKED}) and the figure is how fast the cluster drains the backlog.</li>
 * </ul>
 * Throughput is deliveries received per second, from the first publish (live) or the due time
 * (backlog) to the last delivery; duplicates (the same webhook-id twice at one endpoint) are counted.
 *
 * <pre>
 * mvn -q -o package -pl notify-server -DskipTests &amp;&amp; mvn -q -o compile -pl notify-bench
 * java -cp notify-bench/target/classes:$(cat /tmp/bench.cp) dev.notify.bench.cluster.ClusterWebhookBenchmark \
 *      --jar notify-server/target/notify-server.jar --notifications 5000 --endpoints 2 --receiver-delay-ms 5 \
 *      --modes 1:live,3:live,1:backlog,3:backlog
 * </pre>
 */
public final class ClusterWebhookBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
    private static final int BATCH = 100;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastAt = new AtomicLong();
    // arrivals per second of the measured run (--timeline true): where a run idles, waiting for deferrals to fall due
    private final java.util.concurrent.atomic.AtomicIntegerArray perSecond = new java.util.concurrent.atomic.AtomicIntegerArray(600);
    private volatile long timelineStart;
    // the event type of the run being measured (one per warm-up and run): a delivery of the warm-up or of an earlier
    // set-up (a node of it still shutting down) arriving meanwhile is not counted in it
    private volatile String measuredEvent = "bench.warmup";
    private int runs;
    private final AtomicInteger lateWarmup = new AtomicInteger();
    private final Map<String, AtomicInteger> notCounted = new ConcurrentHashMap<>();
    private final Set<String> seenElsewhere = ConcurrentHashMap.newKeySet();
    private final AtomicInteger duplicates = new AtomicInteger();
    private static final java.util.regex.Pattern TITLE = java.util.regex.Pattern.compile("\"title\":\"(\\d+)\"");
    private final Map<String, String> firstId = new ConcurrentHashMap<>();
    private final AtomicInteger duplicateTitles = new AtomicInteger();
    private final Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
    private volatile int delayMs;
    private volatile int backlogDelaySeconds;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar", "--notifications", "5000",
                "--endpoints", "2", "--receiver-delay-ms", "5", "--modes", "1:live,3:live,1:backlog,3:backlog", "--server-heap", "384m",
                "--warmup", "500"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        ClusterWebhookBenchmark b = new ClusterWebhookBenchmark();
        b.delayMs = Integer.parseInt(a.get("--receiver-delay-ms"));
        b.backlogDelaySeconds = Integer.parseInt(a.getOrDefault("--backlog-delay-seconds", "20"));
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        ExecutorService pool = Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, "receiver");
            t.setDaemon(true);
            return t;
        });
        receiver.setExecutor(pool);
        receiver.createContext("/", b::receive);
        receiver.start();
        PostgresServer pg = PostgresServer.startOwn(Path.of("target", "postgres-bench-cluster-webhook"));
        try {
            for (String mode : a.get("--modes").split(",")) {
                String[] m = mode.split(":");
                b.run(Integer.parseInt(m[0]), m[1], pg, receiver.getAddress().getPort(), a);
            }
        } finally {
            pg.stop();
            receiver.stop(0);
        }
        System.exit(0);
    }

    private void receive(HttpExchange ex) throws IOException {
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (delayMs > 0) {
            try {
                Thread.sleep(delayMs); // the receiver's own work, simulated
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String id = ex.getRequestHeaders().getFirst("webhook-id");
        String event = ex.getRequestHeaders().getFirst("X-Event-Type");
        if (!measuredEvent.equals(event)) {
            lateWarmup.incrementAndGet();
            notCounted.computeIfAbsent(event + (seenElsewhere.add(event + " " + id) ? "" : " (again)"), k -> new AtomicInteger()).incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
            return;
        }
        if (!seen.add(ex.getRequestURI().getPath() + " " + id)) {
            duplicates.incrementAndGet();
        }
        // the notification's title is its number in the run: a second delivery row of one notification to one
        // endpoint (another webhook-id) would be a duplicate the ids do not show
        java.util.regex.Matcher title = TITLE.matcher(body);
        if (title.find()) {
            String key = ex.getRequestURI().getPath() + " " + title.group(1);
            String was = firstId.putIfAbsent(key, id + " from " + ex.getRequestHeaders().getFirst("User-Agent"));
            if (was != null && duplicateTitles.incrementAndGet() <= 3) {
                System.out.println("   a second delivery of notification " + key + ": webhook-id " + id + " from "
                        + ex.getRequestHeaders().getFirst("User-Agent") + ", first " + was);
            }
        }
        String node = ex.getRequestHeaders().getFirst("User-Agent");
        byNode.computeIfAbsent(node == null ? "?" : node, k -> new AtomicInteger()).incrementAndGet();
        received.incrementAndGet();
        long now = System.nanoTime();
        lastAt.set(now);
        int second = (int) ((now - timelineStart) / 1_000_000_000L);
        if (second >= 0 && second < perSecond.length()) {
            perSecond.incrementAndGet(second);
        }
        ex.sendResponseHeaders(204, -1);
        ex.close();
    }

    private void run(int nodes, String kind, PostgresServer pg, int receiverPort, Map<String, String> a) throws Exception {
        int total = Integer.parseInt(a.get("--notifications"));
        int endpoints = Integer.parseInt(a.get("--endpoints"));
        // --db-options "-c synchronous_commit=off" (pgjdbc options) compares the store with other session settings
        String db = pg.createDatabase();
        if (a.containsKey("--db-options")) {
            db += (db.contains("?") ? "&" : "?") + "options="
                    + java.net.URLEncoder.encode(a.get("--db-options"), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        }
        List<Process> servers = new ArrayList<>();
        List<URI> bases = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                bases.add(startNode(i, db, a, servers));
            }
            for (int e = 0; e < endpoints; e++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(bases.get(0).resolve("/api/v1/webhooks"))
                        .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://127.0.0.1:" + receiverPort + "/hook/" + e
                                + "\",\"events\":[\"bench.*\"]}")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201 && r.statusCode() != 200) {
                    throw new IllegalStateException("registering an endpoint answered " + r.statusCode() + ": " + r.body());
                }
            }
            Thread.sleep(1500); // the other nodes' endpoint caches (channels.webhook.endpoint-cache-ttl, 1 s) see them
            int warmup = Integer.parseInt(a.get("--warmup"));
            runs++;
            measuredEvent = "bench.warmup" + runs;
            // the warm-up waits until it has seen its own deliveries: what an earlier set-up's run left would end it at once
            reset();
            measure(bases, "live", warmup, endpoints, "warm-up");
            lateWarmup.set(0);
            measuredEvent = "bench.run" + runs; // before the reset: a warm-up delivery arriving in between is not counted in the run
            reset();
            long[] deferredBefore = deferred(bases, "notify_deliveries_deferred_total");
            long[] heldBefore = deferred(bases, "notify_deliveries_deferred_held_total");
            for (int i = 0; i < perSecond.length(); i++) {
                perSecond.set(i, 0);
            }
            timelineStart = System.nanoTime();
            double[] r = measure(bases, kind, total, endpoints, null);
            long[] deferredAfter = deferred(bases, "notify_deliveries_deferred_total");
            long[] heldAfter = deferred(bases, "notify_deliveries_deferred_held_total");
            long[] heldNow = deferred(bases, "notify_deliveries_held ");
            // seen counts distinct deliveries; received also counts a late retry of a warm-up delivery
            System.out.printf("== %d node(s), %-7s %d notifications x %d endpoints (receiver %d ms): %d delivered in %.2f s = %.0f deliveries/s"
                            + " (publishing took %.2f s); duplicates %d (by notification: %d); requests %d; by node %s%n",
                    nodes, kind, total, endpoints, delayMs, seen.size(), r[0], seen.size() / r[0], r[1], duplicates.get(), duplicateTitles.get(),
                    received.get(), byNode);
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < nodes; i++) {
                d.append(i == 0 ? "" : ", ").append("node-").append((char) ('a' + i)).append(' ')
                        .append(deferredAfter[i] < 0 ? "?" : Long.toString(deferredAfter[i] - deferredBefore[i]))
                        .append(heldAfter[i] < 0 ? "" : " (" + (heldAfter[i] - heldBefore[i]) + " held in memory, " + heldNow[i] + " still held)");
            }
            // a deferral (endpoint saturated on that node) is held in memory by that node when it ends soon, else handed back
            // to the store and claimed again, by any node
            try (java.sql.Connection conn = java.sql.DriverManager.getConnection(db);
                 java.sql.Statement st = conn.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM notify_notification),"
                         + " (SELECT count(*) FROM notify_delivery), (SELECT count(DISTINCT title) FROM notify_notification)")) {
                rs.next();
                // warm-up and run: a publish stored twice would show here
                System.out.println("   stored: " + rs.getLong(1) + " notifications (" + (warmup + total) + " published, "
                        + rs.getLong(3) + " distinct titles), " + rs.getLong(2) + " deliveries");
            }
            System.out.println("   deferrals (each not held in memory a store write and a later claim): " + d
                    + (lateWarmup.get() > 0 ? "; deliveries of the warm-up or an earlier set-up arriving during the run (not counted): " + lateWarmup.get()
                    + " " + notCounted : ""));
            if (Boolean.parseBoolean(a.getOrDefault("--timeline", "false"))) {
                StringBuilder t = new StringBuilder("   deliveries per second from the start:");
                for (int i = 0; i <= Math.min(perSecond.length() - 1, (int) Math.ceil(r[0]) + (kind.equals("backlog") ? backlogDelaySeconds : 0)); i++) {
                    t.append(' ').append(perSecond.get(i));
                }
                System.out.println(t);
            }
        } finally {
            for (Process p : servers) {
                p.destroy();
            }
            for (Process p : servers) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // it must not deliver into the next set-up's run
                }
            }
        }
    }

    /** Each node's counter {@code metric} (summed over channels) from its /metrics; -1 if unreadable (or absent: an older jar). */
    private long[] deferred(List<URI> bases, String metric) {
        long[] out = new long[bases.size()];
        for (int i = 0; i < bases.size(); i++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(bases.get(i).resolve("/metrics"))
                        .header("Authorization", "Bearer " + API_KEY).build(), HttpResponse.BodyHandlers.ofString());
                out[i] = r.statusCode() != 200 || !r.body().contains(metric) ? -1 : r.body().lines().filter(l -> l.startsWith(metric))
                        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            } catch (java.io.IOException | RuntimeException e) {
                out[i] = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out[i] = -1;
            }
        }
        return out;
    }

    private void reset() {
        notCounted.clear();
        seen.clear();
        firstId.clear();
        duplicateTitles.set(0);
        received.set(0);
        duplicates.set(0);
        byNode.clear();
    }

    private static URI startNode(int i, String db, Map<String, String> a, List<Process> servers) throws Exception {
        int port = BenchSupport.freePort();
        Path data = BenchSupport.tempDir("notify-bench-cluster-webhook-");
        String node = "node-" + (char) ('a' + i);
        List<String> cmd = BenchSupport.nodeCommand(a, i); // --server-jvm-args "-XX:StartFlightRecording=...NODE.jfr" profiles each
        cmd.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", data.toString(),
                "--db-url", db, "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false", "--node-id", node,
                "--webhook-allow-private-networks", "--set", "channels.webhook.user-agent=" + node));
        // --server-args "--set channels.webhook.busy-wait=2s ..." passes settings to every node (compare settings side by side)
        for (String arg : a.getOrDefault("--server-args", "").split(" ")) {
            if (!arg.isBlank()) {
                cmd.add(arg);
            }
        }
        servers.add(BenchSupport.startServer(cmd, data.resolve("server.log"), "127.0.0.1", port));
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Publishes {@code total} notifications in batches from 4 threads (live: round-robin over the
     * nodes; backlog: on the first node, due {@code --backlog-delay-seconds} (20) after the start) and waits
     * for every delivery; returns the seconds from the start (or the due time) to the last delivery,
     * and the seconds publishing took.
     */
    private double[] measure(List<URI> bases, String kind, int total, int endpoints, String label) throws Exception {
        boolean backlog = kind.equals("backlog");
        Instant due = Instant.now().plusSeconds(backlog ? backlogDelaySeconds : 0);
        long dueNanos = System.nanoTime() + Duration.between(Instant.now(), due).toNanos();
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        int batches = (total + BATCH - 1) / BATCH;
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            new Thread(() -> {
                try {
                    int b;
                    while ((b = next.getAndIncrement()) < batches) {
                        StringBuilder body = new StringBuilder("{\"notifications\":[");
                        for (int i = b * BATCH; i < Math.min(total, (b + 1) * BATCH); i++) {
                            body.append(i == b * BATCH ? "" : ",").append("{\"recipients\":[\"wh-").append(i % 100)
                                    .append("\"],\"event\":\"").append(measuredEvent).append("\",\"title\":\"").append(i).append("\",\"channels\":[\"webhook\"]")
                                    .append(backlog ? ",\"scheduledAt\":\"" + due + "\"" : "").append('}');
                        }
                        URI base = backlog ? bases.get(0) : bases.get(b % bases.size());
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications/batch"))
                                .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString())).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 202) {
                            System.out.println("batch publish answered " + r.statusCode() + ": " + r.body());
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            }, "bench-publisher-" + t).start();
        }
        done.await();
        double publishing = (System.nanoTime() - start) / 1e9;
        if (backlog && System.nanoTime() > dueNanos) {
            System.out.println("(publishing outlasted the due time; the backlog figure includes some publishing)");
        }
        long expected = (long) total * endpoints;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (seen.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (seen.size() < expected) {
            System.out.println((label == null ? "" : label + ": ") + "only " + seen.size() + " of " + expected + " deliveries within 5 minutes");
        }
        double seconds = (lastAt.get() - (backlog ? dueNanos : start)) / 1e9;
        return new double[] {seconds, publishing};
    }
}
