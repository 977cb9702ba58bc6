package dev.notify.bench.soak;

import dev.notify.bench.BenchSupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The soak of issue 14: one {@code notify-server.jar} process on the JDBC store (an H2 file in a
 * temporary directory, or the PostgreSQL given with {@code --db-url}) under steady mixed load for
 * {@code --duration} (10 minutes by default), sampled every 5 s, judged by PASS/FAIL lines.
 *
 * <p>The load, all from this process over loopback: 10,000 SSE streams (one NIO selector thread)
 * and 1,000 WebSocket connections (the JDK's client), each a distinct user with its own JWT, the
 * even-numbered ones also subscribed to one of 1,000 topics; 1,000 publishes/s, half to a random
 * user and half to a random topic, 5% to the topic of 20 webhook endpoints registered through the
 * API (5 hang, 2 answer 500, 13 healthy; real receivers in this process, the server told to allow
 * loopback with {@code --webhook-allow-private-networks}); and clients that drop their connection
 * at random (10/s over all of them), stay away up to 2 s and resume from their cursor
 * ({@code Last-Event-ID}, {@code ?after=}). Every notification is numbered per target and stamped
 * with its publish time, so each client finds its gaps and each receiver its latency.
 *
 * <p>One process holds about 11,000 client sockets and the server as many: each stays under a
 * 20,000 open-file limit, so the load needs no child JVM.
 *
 * <p>Samples (heap after GC, RSS, descriptors, threads, connections, queue depth, publish-to-receive
 * p50/p99, webhook deliveries/s, ...) go to {@code soak.csv} and charts to {@code *.svg} in
 * {@code --out}; the exit status is 0 only when every criterion passes ({@link Verdict}).
 *
 * <pre>
 * mvn -q -o install -DskipTests
 * java -Xmx2g -cp notify-bench/target/classes dev.notify.bench.soak.SoakBenchmark --duration 10m --out docs/soak
 * </pre>
 */
public final class SoakBenchmark {

    static final String API_KEY = "soak-api-key-0123456789abcdef";
    static final String JWT_SECRET = "soak-jwt-secret-0123456789abcdef0123456789";
    private static final String HOST = "127.0.0.1";
    // a dropped connection (server-side close, refused connect) is retried after this, like EventSource's retry
    private static final long RETRY_MILLIS = 1000;

    private final SoakSettings settings;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, BenchSupport.daemon("soak-timer"));
    private final List<Subscriber> subscribers = new ArrayList<>();
    private Ledger ledger;
    private SseStreams sse;
    private WsStreams ws;
    private volatile boolean stopping;
    // reconnects owed by the churn (fractions carry over from one 100 ms tick to the next); the timer thread's alone
    private double churnCredit;

    /** The outcome of one soak: its samples, its checks and where it wrote them. */
    record Result(List<Sample> samples, List<Verdict.Check> checks, Verdict.Losses losses, Path csv, List<Path> charts) {
        boolean passed() {
            return checks.stream().noneMatch(Verdict.Check::failed);
        }
    }

    SoakBenchmark(SoakSettings settings) {
        this.settings = settings;
    }

    /** Runs the soak with {@code --name value} arguments (see {@link SoakSettings}); exit status 1 when a check fails. */
    public static void main(String[] args) throws Exception {
        Result r = new SoakBenchmark(SoakSettings.parse(args)).run();
        System.exit(r.passed() ? 0 : 1);
    }

    Result run() throws Exception {
        SoakSettings s = settings;
        System.out.println("soak: " + s.describe());
        Path data = Files.createTempDirectory("notify-soak-");
        int port = BenchSupport.freePort();
        List<String> cmd = serverCommand(s, data, port);
        Path log = data.resolve("server.log");
        Process server = BenchSupport.startServer(cmd, log, HOST, port);
        URI base = URI.create("http://" + HOST + ":" + port);
        InetSocketAddress address = new InetSocketAddress(HOST, port);
        ledger = new Ledger(s.sse() + s.ws(), s.topics());
        boolean passed = false;
        Publishers publishers = null;
        try (ServerJvm jvm = ServerJvm.attach(server.pid());
             WebhookReceivers hooks = new WebhookReceivers(s.healthy(), s.failing(), s.hanging(), ledger, s.lateAfter().toNanos())) {
            register(base, hooks.endpoints());
            sse = new SseStreams(address, ledger, this::retryLater);
            ws = new WsStreams(address, ledger, this::retryLater, 4);
            int topicsInUse = openAll(s);

            publishers = new Publishers(base, API_KEY, ledger, subscribers.stream().map(x -> x.user).toArray(String[]::new),
                    topicsInUse, s.hookShare(), s.publishers());
            Sampler sampler = new Sampler(server.pid(), jvm, base, ledger, hooks);
            long every = s.sampleEvery().toMillis();
            timers.scheduleAtFixedRate(() -> {
                try {
                    sampler.sample();
                } catch (Exception e) {
                    System.out.println("   sample failed: " + e);
                }
            }, every, every, TimeUnit.MILLISECONDS);
            timers.scheduleAtFixedRate(this::churn, 100, 100, TimeUnit.MILLISECONDS);
            publishers.start(s.rate());
            long end = System.nanoTime() + s.duration().toNanos();
            while (System.nanoTime() < end && server.isAlive()) {
                Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
            // the last interval's sample finishes, then sampling and dropping stop (reconnects already scheduled still run)
            stopping = true;
            timers.shutdown();
            timers.awaitTermination(30, TimeUnit.SECONDS);
            publishers.stop();
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited during the soak: see " + log);
            }
            Verdict.Losses losses = drain(s, hooks);
            List<Sample> samples = new ArrayList<>(sampler.samples());
            Path csv = writeCsv(s.out(), samples);
            List<Path> charts = writeCharts(s.out(), samples, s);
            List<Verdict.Check> checks = Verdict.judge(samples, s.duration().toSeconds(), losses);
            List<String> report = report(s, hooks, checks);
            report.forEach(System.out::println);
            // the verdict beside the samples and charts it was drawn from, for whoever updates docs/benchmarks.md
            Files.write(s.out().resolve("verdict.txt"), report, StandardCharsets.UTF_8);
            System.out.println("samples: " + csv + ", charts: " + charts.size() + " SVG files and verdict.txt in " + s.out());
            Result result = new Result(samples, checks, losses, csv, charts);
            passed = result.passed();
            return result;
        } finally {
            stopping = true;
            timers.shutdownNow();
            if (publishers != null) {
                publishers.stop();
            }
            if (sse != null) {
                sse.close();
            }
            if (ws != null) {
                ws.close();
            }
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            if (passed) {
                dev.notify.bench.BenchSupport.deleteTree(data);
            } else {
                System.out.println("server log and database kept in " + data);
            }
        }
    }

    private static List<String> serverCommand(SoakSettings s, Path data, int port) {
        // the whole heap touched at start: RSS then moves only with what lives outside the heap (threads, buffers, code,
        // metaspace), where a leak would show, instead of climbing for minutes as the collector first uses each region
        List<String> cmd = new ArrayList<>(List.of("java", "-Xms" + s.serverHeap(), "-Xmx" + s.serverHeap(), "-XX:+AlwaysPreTouch",
                "-jar", s.jar().toString(), "--host", HOST, "--port", Integer.toString(port), "--data-dir", data.toString(),
                "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false", "--webhook-allow-private-networks"));
        if (!s.dbUrl().isEmpty()) {
            cmd.addAll(List.of("--db-url", s.dbUrl()));
            if (!s.dbUser().isEmpty()) {
                cmd.addAll(List.of("--db-user", s.dbUser(), "--db-password", s.dbPassword()));
            }
        }
        cmd.addAll(s.serverArgs());
        return cmd;
    }

    /** The totals line and one line per check. */
    private List<String> report(SoakSettings s, WebhookReceivers hooks, List<Verdict.Check> checks) {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "== soak %s, ended %s, load average %s: published %d (%d refused), stream events received %d"
                        + " (+%d duplicates), reconnects %d, drops %d; healthy webhook deliveries %d, attempts at failing endpoints %d,"
                        + " connections to hanging ones %d", s.describe(), Instant.now().truncatedTo(ChronoUnit.SECONDS),
                loadAverage(), ledger.published.sum(), ledger.refusedCount(), ledger.received.sum(), ledger.duplicates.sum(),
                ledger.reconnects.sum(), ledger.drops.sum(), hooks.healthyDeliveries.sum(), hooks.failingAttempts.sum(),
                hooks.hangingConnections.sum()));
        checks.forEach(c -> report.add(c.line()));
        return report;
    }

    // ---- clients ---------------------------------------------------------------------------------

    /** Creates every subscriber and opens its stream, in batches that wait for their greetings; the number of topics in use. */
    private int openAll(SoakSettings s) throws InterruptedException {
        int n = s.sse() + s.ws();
        int topicsInUse = Math.min(s.topics(), (n + 1) / 2);
        long tokenSeconds = s.duration().plus(s.drain()).toSeconds() + 3600;
        for (int i = 0; i < n; i++) {
            String user = i < s.sse() ? "soak-s" + i : "soak-w" + (i - s.sse());
            int topic = i % 2 == 0 && topicsInUse > 0 ? (i / 2) % topicsInUse : -1;
            // valid past the end of the run: a client resuming in the last minute must not meet an expired token
            subscribers.add(new Subscriber(i, user, topic, BenchSupport.jwt(user, "soak:*", JWT_SECRET, tokenSeconds)));
        }
        long t0 = System.nanoTime();
        int batch = 500;
        for (int from = 0; from < n; from += batch) {
            List<Subscriber> these = subscribers.subList(from, Math.min(n, from + batch));
            these.forEach(this::open);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Subscriber x : these) {
                while (!x.greeted && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (!x.greeted) {
                    throw new IllegalStateException("the stream of " + x.user + " was not greeted within 60 s");
                }
            }
        }
        System.out.printf(Locale.ROOT, "   opened %d SSE streams and %d WebSocket connections in %.1f s; %d topics%n", s.sse(), s.ws(),
                (System.nanoTime() - t0) / 1e9, topicsInUse);
        return topicsInUse;
    }

    private void open(Subscriber x) {
        if (x.index < settings.sse()) {
            sse.open(x);
        } else {
            ws.open(x);
        }
    }

    private void retryLater(Subscriber x) {
        schedule(() -> open(x), RETRY_MILLIS);
    }

    private void schedule(Runnable r, long millis) {
        try {
            timers.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the timers stop when publishing stops: reconnect from a thread of its own, the drain waits for it
            BenchSupport.startDaemon("soak-reconnect", () -> {
                try {
                    Thread.sleep(millis);
                    r.run();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    // every 100 ms, a tenth of the per-second reconnects: random connected clients drop and come back with their cursor
    private void churn() {
        if (stopping) {
            return;
        }
        churnCredit += settings.reconnects() / 10;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (churnCredit >= 1) {
            churnCredit--;
            Subscriber x = subscribers.get(rnd.nextInt(subscribers.size()));
            if (!x.isConnected()) {
                continue;
            }
            if (x.index < settings.sse()) {
                sse.drop(x);
            } else {
                ws.drop(x);
            }
            ledger.reconnects.increment();
            schedule(() -> open(x), rnd.nextLong(settings.awayMax().toMillis() + 1));
        }
    }

    /**
     * Waits until every receiver has everything published to it, or the drain time is over;
     * what is still missing then is lost.
     */
    private Verdict.Losses drain(SoakSettings s, WebhookReceivers hooks) throws InterruptedException {
        long deadline = System.nanoTime() + s.drain().toNanos();
        long t0 = System.nanoTime();
        while (true) {
            long lost = 0;
            int clients = 0;
            for (Subscriber x : subscribers) {
                int m = x.missing(ledger);
                if (m > 0) {
                    lost += m;
                    clients++;
                }
            }
            int hookMissing = hooks.missing();
            if (lost == 0 && hookMissing == 0 || System.nanoTime() > deadline) {
                System.out.printf(Locale.ROOT, "   drained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                return new Verdict.Losses(lost, clients, subscribers.size(), hookMissing, hooks.late.sum(),
                        hooks.worstLatenessNanos.get() / 1e6, s.lateAfter().toMillis());
            }
            Thread.sleep(250);
        }
    }

    // ---- the server's API ------------------------------------------------------------------------

    private static void register(URI base, List<WebhookReceivers.Endpoint> endpoints) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (WebhookReceivers.Endpoint e : endpoints) {
            String body = "{\"url\":\"" + e.url() + "\",\"topics\":[\"" + Ledger.HOOK_TOPIC + "\"],\"description\":\"soak "
                    + e.kind().name().toLowerCase(Locale.ROOT) + "\"}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/webhooks"))
                    .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("registering " + e.url() + " answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    // ---- output ----------------------------------------------------------------------------------

    private static Path writeCsv(Path out, List<Sample> samples) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder(String.join(",", Sample.COLUMNS)).append('\n');
        samples.forEach(x -> csv.append(x.csv()).append('\n'));
        Path file = out.resolve("soak.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    private static List<Path> writeCharts(Path out, List<Sample> samples, SoakSettings s) throws IOException {
        double[] x = samples.stream().mapToDouble(Sample::seconds).toArray();
        String load = String.format(Locale.ROOT, " (%d SSE + %d WS, %d/s)", s.sse(), s.ws(), s.rate());
        List<Path> files = new ArrayList<>();
        // heap and RSS apart: with the heap pre-touched RSS sits above -Xmx, and a heap of tens of MiB would be a flat line at its foot
        files.add(chart(out, "heap.svg", "Server heap after a full GC" + load, "MiB", x, series("heap after GC", samples, Sample::heapMb)));
        files.add(chart(out, "rss.svg", "Server resident memory" + load, "MiB", x, series("RSS", samples, Sample::rssMb)));
        files.add(chart(out, "descriptors.svg", "Server descriptors and connections" + load, "count", x,
                series("open descriptors", samples, Sample::fds), series("stream connections", samples, Sample::connections)));
        files.add(chart(out, "threads.svg", "Server threads" + load, "threads", x, series("threads", samples, Sample::threads)));
        files.add(chart(out, "latency.svg", "Publish-to-receive, stream events" + load, "ms", x,
                series("p50", samples, Sample::p50Ms), series("p99", samples, Sample::p99Ms)));
        files.add(chart(out, "throughput.svg", "Publishes and receipts per second" + load, "per second", x,
                series("published", samples, Sample::publishedPerS), series("stream events received", samples, Sample::receivedPerS)));
        files.add(chart(out, "webhooks.svg", "Webhook deliveries per second" + load, "per second", x,
                series("sent (server)", samples, Sample::webhookSentPerS), series("received by healthy endpoints", samples, Sample::healthyHooksPerS)));
        files.add(chart(out, "queue.svg", "Delivery queue and healthy webhook backlog" + load, "deliveries", x,
                series("queue depth (server)", samples, Sample::queueDepth), series("healthy deliveries outstanding", samples, Sample::hookBacklog)));
        return files;
    }

    private static SvgChart.Series series(String name, List<Sample> samples, ToDoubleFunction<Sample> f) {
        return new SvgChart.Series(name, samples.stream().mapToDouble(f).toArray());
    }

    private static Path chart(Path out, String name, String title, String unit, double[] x, SvgChart.Series... series)
            throws IOException {
        Path file = out.resolve(name);
        SvgChart.write(file, title, unit, x, List.of(series));
        return file;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

}
