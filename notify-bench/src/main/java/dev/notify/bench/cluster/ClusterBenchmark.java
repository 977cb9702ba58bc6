package dev.notify.bench.cluster;

import dev.notify.bench.BenchSupport;
import dev.notify.testkit.PostgresServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
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
 *   <li>{@code poll}: three nodes, signals off ({@code cluster.signals=in-process}): each node finds the
 *       others' entries by reading the log every 100 ms.</li>
 * </ul>
 * Latency runs from just before the publishing {@code POST} to the arrival of the event at the
 * client, so it includes the durable publish on A.
 *
 * <pre>
 * mvn -q -o package -pl notify-server -DskipTests &amp;&amp; mvn -q -o compile -pl notify-bench
 * java -cp notify-bench/target/classes:$(cat /tmp/bench.cp) dev.notify.bench.cluster.ClusterBenchmark \
 *      --jar notify-server/target/notify-server.jar --clients 1000 --rate 1000 --seconds 10 --modes single,signal,poll
 * </pre>
 */
public final class ClusterBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
    private static final Pattern TITLE = Pattern.compile("\"title\":\"([0-9]+)\"");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, Long> sent = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger greeted = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar", "--clients", "1000",
                "--rate", "1000", "--seconds", "10", "--warmup-seconds", "3", "--modes", "single,signal,poll", "--server-heap", "512m"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        PostgresServer pg = PostgresServer.startOwn(Path.of("target", "postgres-bench-cluster"));
        try {
            ClusterBenchmark b = new ClusterBenchmark();
            for (String mode : a.get("--modes").split(",")) {
                b.run(mode, pg, a);
            }
        } finally {
            pg.stop();
        }
        System.exit(0);
    }

    private void run(String mode, PostgresServer pg, Map<String, String> a) throws Exception {
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
                int port;
                try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                Path data = Files.createTempDirectory("notify-bench-cluster-");
                List<String> cmd = new ArrayList<>(List.of("java", "-Xms" + a.get("--server-heap"), "-Xmx" + a.get("--server-heap"),
                        "-jar", a.get("--jar"), "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", data.toString(),
                        "--db-url", db, "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false",
                        "--node-id", "node-" + (char) ('a' + i)));
                if (mode.equals("poll")) {
                    cmd.addAll(List.of("--set", "cluster.signals=in-process"));
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
                servers.add(p);
                BenchSupport.awaitListening(p, "127.0.0.1", port, data.resolve("server.log"));
                bases.add(URI.create("http://127.0.0.1:" + port));
            }
            // streams: on A alone for "single", else half on B and half on C
            List<URI> receivers = nodes == 1 ? List.of(bases.get(0)) : List.of(bases.get(1), bases.get(2));
            greeted.set(0);
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
            int published = publishAt(bases.get(0), total, rate, seconds, true);
            long drain = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!sent.isEmpty() && System.nanoTime() < drain) {
                Thread.sleep(10);
            }
            List<Long> l = new ArrayList<>(latencies);
            System.out.printf("== %-6s %d node(s), %d streams (%s), %d published on A at %d/s: received %d, lost %d; "
                            + "publish-to-receive p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    mode, nodes, greeted.get(), nodes == 1 ? "on A" : "on B and C", published, rate, l.size(), sent.size(),
                    BenchSupport.percentileMillis(l, 50), BenchSupport.percentileMillis(l, 90),
                    BenchSupport.percentileMillis(l, 99), BenchSupport.percentileMillis(l, 100));
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

    /** Publishes for {@code seconds} at {@code rate} from 4 threads, each to a random one of {@code users}; how many. */
    private int publishAt(URI base, int users, int rate, int seconds, boolean measured) throws InterruptedException {
        int total = rate * seconds;
        AtomicInteger seq = new AtomicInteger();
        int offset = measured ? 10_000_000 : 0;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            new Thread(() -> {
                try {
                    int i;
                    while ((i = seq.getAndIncrement()) < total) {
                        long wait = start + i * interval - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        int title = offset + i;
                        int user = ThreadLocalRandom.current().nextInt(users);
                        if (measured) {
                            sent.put(title, System.nanoTime());
                        }
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications"))
                                .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"recipients\":[\"lat-" + user
                                        + "\"],\"event\":\"bench.latency\",\"title\":\"" + title + "\"}")).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 202) {
                            System.out.println("publish answered " + r.statusCode());
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
        return total;
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
                        Long t = sent.remove(Integer.parseInt(m.group(1)));
                        if (t != null) {
                            latencies.add(at - t);
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
