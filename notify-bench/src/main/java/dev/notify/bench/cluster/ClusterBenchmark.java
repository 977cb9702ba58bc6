package dev.notify.bench.cluster;

import dev.notify.bench.BenchSupport;
import dev.notify.testkit.PostgresServer;
import dev.notify.testkit.RedisServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cross-node publish-to-receive latency of real {@code notify-server.jar} processes on one
 * throw-away PostgreSQL: publishes on node A at a steady rate, each to one user whose SSE stream is
 * held on node B or node C. Three set-ups, each on a fresh database, measured in one run:
 * <ul>
 *   <li>{@code single}: one node; publish and streams on A (the figure without a cluster);</li>
 *   <li>{@code signal}: three nodes, LISTEN/NOTIFY between them (the default on PostgreSQL);</li>
 *   <li>{@code redis}: three nodes, Redis pub/sub between them ({@code --redis-url}, a throw-away
 *       {@code redis-server} with a password), per-user channels;</li>
 *   <li>{@code redis-payloads}: the same with {@code --redis-payloads}: the events travel whole and
 *       B and C push them without reading the log;</li>
 *   <li>{@code poll}: three nodes, signals off ({@code cluster.signals=in-process}): each node finds the
 *       others' entries by reading the log every 100 ms.</li>
 * </ul>
 * The publisher is an open loop ({@link FixedRatePublisher}): publish {@code i} is due at
 * {@code i / rate} whatever the answers to the earlier ones, up to {@code --max-in-flight} (256)
 * {@code POST}s outstanding; latency runs from that <em>scheduled</em> time to the arrival of the
 * event at the SSE client on B or C, so it includes the durable publish on A and any queueing before
 * it (no coordinated omission). Each run prints the offered and the achieved rate, and a line
 * starting {@code !!} when the accepted rate fell more than 5% short of the offered one (the process
 * then exits 1). {@code --rate} may list several rates ({@code 1000,2000,4000}): each mode runs at
 * each, to find the highest rate each holds.
 *
 * <p>File descriptors: this process holds one socket per SSE stream ({@code --clients} per
 * receiving node, 2,000 at the 1,000 per node) plus at most {@code --max-in-flight}
 * publishing connections; each server holds its own streams and a database pool. The run refuses to
 * start when this process's share would not fit in its descriptor limit.
 *
 * <pre>
 * mvn -q -o package -pl notify-server -DskipTests &amp;&amp; mvn -q -o compile -pl notify-bench
 * java -cp notify-bench/target/classes:$(cat /tmp/bench.cp) dev.notify.bench.cluster.ClusterBenchmark \
 *      --jar notify-server/target/notify-server.jar --clients 1000 --rate 1000,2000 --seconds 10 --modes single,signal,redis,poll
 * </pre>
 * ({@code --modes redis,redis-payloads} compares Redis with and without payloads.)
 */
public final class ClusterBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
    private static final Pattern TITLE = Pattern.compile("\"title\":\"([0-9]+)\"");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
    // per measured title: when it was scheduled and when its POST actually left (later when the server fell behind)
    private final Map<Integer, long[]> sent = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> fromSend = new ConcurrentLinkedQueue<>();
    private final AtomicInteger greeted = new AtomicInteger();
    // measured events received per receiving node (B, C; or A alone)
    private final Map<URI, AtomicInteger> receivedAt = new ConcurrentHashMap<>();
    private final AtomicInteger refusalsShown = new AtomicInteger();
    private FixedRatePublisher publisher;
    private boolean fellShort;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar", "--clients", "1000",
                "--rate", "1000", "--seconds", "10", "--warmup-seconds", "3", "--modes", "single,signal,poll", "--server-heap", "512m", "--max-in-flight", "256"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        int maxInFlight = Integer.parseInt(a.get("--max-in-flight"));
        checkDescriptors(Integer.parseInt(a.get("--clients")) * 2 + maxInFlight);
        PostgresServer pg = PostgresServer.startOwn(Path.of("target", "postgres-bench-cluster"));
        RedisServer redis = a.get("--modes").contains("redis") ? RedisServer.start(Path.of("target", "redis-bench-cluster")) : null;
        try {
            ClusterBenchmark b = new ClusterBenchmark();
            b.publisher = new FixedRatePublisher(maxInFlight);
            for (String rate : a.get("--rate").split(",")) {
                for (String mode : a.get("--modes").split(",")) {
                    Map<String, String> at = new HashMap<>(a);
                    at.put("--rate", rate.trim());
                    b.run(mode, pg, redis, at);
                }
            }
            if (b.fellShort) {
                System.out.println("!! at least one run achieved less than 95% of its offered rate: its latencies are not at that rate");
                System.exit(1);
            }
        } finally {
            pg.stop();
            if (redis != null) {
                redis.close();
            }
        }
        System.exit(0);
    }

    /** Refuses to start when this process's sockets would not fit in its descriptor limit (ulimit -n). */
    private static void checkDescriptors(int sockets) {
        long limit = -1;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            limit = u.getMaxFileDescriptorCount();
        }
        System.out.printf("file descriptors: this process needs about %d sockets (+ ~100 for the JVM); its limit is %d%n", sockets, limit);
        if (limit > 0 && sockets + 100 > limit) {
            throw new IllegalStateException("the descriptor limit " + limit + " is too low for " + sockets
                    + " sockets: lower --clients or --max-in-flight, or raise ulimit -n");
        }
    }

    private void run(String mode, PostgresServer pg, RedisServer redis, Map<String, String> a) throws Exception {
        int clients = Integer.parseInt(a.get("--clients"));
        int rate = Integer.parseInt(a.get("--rate"));
        int seconds = Integer.parseInt(a.get("--seconds"));
        int warmup = Integer.parseInt(a.get("--warmup-seconds"));
        String db = pg.createDatabase();
        int nodes = mode.equals("single") ? 1 : 3;
        List<Process> servers = new ArrayList<>();
        List<URI> bases = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                int port = BenchSupport.freePort();
                Path data = BenchSupport.tempDir("notify-bench-cluster-");
                List<String> cmd = BenchSupport.nodeCommand(a, i); // --server-jvm-args "-XX:StartFlightRecording=...NODE.jfr" profiles each
                cmd.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", data.toString(),
                        "--db-url", db, "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false",
                        "--node-id", "node-" + (char) ('a' + i)));
                if (mode.equals("poll")) {
                    cmd.addAll(List.of("--set", "cluster.signals=in-process"));
                } else if (mode.startsWith("redis")) {
                    // a prefix per run: the nodes of an earlier run are gone, but one Redis serves every run
                    cmd.addAll(List.of("--redis-url", redis.url(), "--set", "cluster.redis.prefix=bench-" + db.hashCode() + ":"));
                    if (mode.equals("redis-payloads")) {
                        cmd.add("--redis-payloads");
                    }
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
                servers.add(p);
                BenchSupport.awaitListening(p, "127.0.0.1", port, data.resolve("server.log"));
                bases.add(URI.create("http://127.0.0.1:" + port));
            }
            // streams: on A alone for "single", else half on B and half on C
            List<URI> receivers = nodes == 1 ? List.of(bases.get(0)) : List.of(bases.get(1), bases.get(2));
            greeted.set(0);
            receivedAt.clear();
            int total = clients * receivers.size();
            for (int u = 0; u < total; u++) {
                connect(receivers.get(u % receivers.size()), "lat-" + u);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (greeted.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            publishAt(bases.get(0), total, rate, warmup, false);
            latencies.clear();
            fromSend.clear();
            receivedAt.values().forEach(c -> c.set(0));
            FixedRatePublisher.Result r = publishAt(bases.get(0), total, rate, seconds, true);
            long drain = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!sent.isEmpty() && System.nanoTime() < drain) {
                Thread.sleep(10);
            }
            List<Long> l = new ArrayList<>(latencies);
            StringBuilder perNode = new StringBuilder();
            for (URI u : receivers) {
                perNode.append(perNode.length() == 0 ? "" : ", ").append("node-").append((char) ('a' + bases.indexOf(u))).append(' ')
                        .append(receivedAt.getOrDefault(u, new AtomicInteger()).get());
            }
            System.out.printf("== %-6s %d node(s), %d streams (%s), %d published on A at %d/s (accepted %.0f/s): received %d (%s), lost %d; "
                            + "scheduled-publish-to-receive p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    mode, nodes, greeted.get(), nodes == 1 ? "on A" : "on B and C", r.sent(), rate, r.achievedRate(), l.size(), perNode,
                    sent.size(), BenchSupport.percentileMillis(l, 50), BenchSupport.percentileMillis(l, 90),
                    BenchSupport.percentileMillis(l, 99), BenchSupport.percentileMillis(l, 100));
            List<Long> f = new ArrayList<>(fromSend);
            // the same arrivals from the moment each POST left: what the path costs once the server takes the request
            System.out.printf("   from the actual send: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    BenchSupport.percentileMillis(f, 50), BenchSupport.percentileMillis(f, 90),
                    BenchSupport.percentileMillis(f, 99), BenchSupport.percentileMillis(f, 100));
            System.out.println("   publisher: " + r.describe());
            if (r.short5Percent()) {
                fellShort = true;
                System.out.printf("!! %s at %d/s: the publisher achieved %.0f/s, more than 5%% short of the offered rate%n",
                        mode, rate, r.achievedRate());
            }
            sent.clear();
        } finally {
            for (Process p : servers) {
                p.destroy();
            }
            for (Process p : servers) {
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Publishes for {@code seconds} at {@code rate} on an open-loop schedule, each to a random one of {@code users}. */
    private FixedRatePublisher.Result publishAt(URI base, int users, int rate, int seconds, boolean measured) throws InterruptedException {
        int offset = measured ? 10_000_000 : 0;
        URI endpoint = base.resolve("/api/v1/notifications");
        return publisher.run(rate, seconds, (i, scheduledNanos) -> {
            int title = offset + i;
            if (measured) {
                // latency from the schedule, not from whenever the send got out (that one is printed beside it)
                sent.put(title, new long[] {scheduledNanos, System.nanoTime()});
            }
            return HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"recipients\":[\"lat-" + ThreadLocalRandom.current().nextInt(users)
                            + "\"],\"event\":\"bench.latency\",\"title\":\"" + title + "\"}")).build();
        }, (i, status) -> {
            sent.remove(offset + i); // refused, so never to be received: counted by the publisher, not as lost
            if (refusalsShown.incrementAndGet() <= 10) {
                System.out.println("   publish answered " + (status < 0 ? "nothing (failed)" : Integer.toString(status)));
            }
        });
    }

    /** Opens an SSE stream of {@code user} that records the arrival of each measured title. */
    private void connect(URI base, String user) {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/api/v1/notifications/stream"))
                .header("Authorization", "Bearer " + BenchSupport.jwt(user, "none:x", JWT_SECRET)).header("Accept", "text/event-stream").build();
        http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (line.startsWith("event: recent")) {
                    greeted.incrementAndGet();
                } else if (line.startsWith("data:") && line.contains("\"title\"")) {
                    long at = System.nanoTime();
                    Matcher m = TITLE.matcher(line);
                    if (m.find()) {
                        long[] t = sent.remove(Integer.parseInt(m.group(1)));
                        if (t != null) {
                            latencies.add(at - t[0]);
                            fromSend.add(at - t[1]);
                            receivedAt.computeIfAbsent(base, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }
            }

            @Override
            public void onError(Throwable e) {
            }

            @Override
            public void onComplete() {
            }
        }));
    }
}
