package dev.notify.bench.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.notify.api.Notification;
import dev.notify.bench.BenchSupport;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.core.NotificationService;
import dev.notify.core.ServiceConfig;
import dev.notify.store.jdbc.JdbcNotificationStore;
import dev.notify.store.jdbc.JdbcStoreConfig;
import dev.notify.testkit.HangingServer;
import dev.notify.testkit.PostgresServer;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Webhook deliveries per second to a local receiver: the real engine, the JDBC store on H2 files
 * (notification, delivery row and one attempt row per delivery, all persisted), the webhook channel
 * found through ServiceLoader (both HMAC signatures, the SSRF check at every attempt, keep-alive
 * connections unless {@code keepAlive=false}). The receiver is the JDK's HTTP server on loopback:
 * it reads every request body and answers {@code 200} with HTTP/1.1 keep-alive.
 *
 * <p>Options are program arguments {@code key=value} (or {@code -Dkey=value} JVM options when the
 * JVM is started directly): {@code notifications} (30000), {@code workers} (16), {@code endpoints}
 * (1), {@code hanging} (0: endpoints on the same topic whose receiver accepts and never answers, registered after
 * the warm-up; deliveries/s then counts the healthy endpoints' deliveries only), {@code maxSeconds} (300: the
 * measured run ends then even if not every healthy delivery arrived, and the rate is of those that did),
 * {@code channelConcurrency} and {@code perEndpoint} (both {@code workers}: the channel's and each endpoint's
 * attempts in flight), {@code keepAlive} (true), {@code receiverThreads} (8), {@code db} ({@code h2}, or {@code postgresql}: a
 * throw-away PostgreSQL 15 cluster under {@code target/}, as the store benchmark starts), {@code warmup} (10000: deliveries before the measured ones, so that the JIT has compiled H2's and the channel's paths; with 2000, C2 was still compiling during the measurement and the CPU per delivery read 20-40% higher).
 *
 * <pre>
 * mvn -q -o -pl notify-bench exec:exec -Dexec.args="-Xms1g -Xmx4g -cp %classpath dev.notify.bench.webhook.WebhookBenchmark notifications=30000 workers=16"
 * </pre>
 * Prints deliveries/s, the process CPU time per delivery, the store calls per delivery and the
 * connections the receiver saw.
 */
public final class WebhookBenchmark {

    private WebhookBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, got '" + a + "'");
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int total = intOption(opts, "notifications", 30_000);
        int workers = intOption(opts, "workers", 16);
        int endpoints = intOption(opts, "endpoints", 1);
        int hanging = intOption(opts, "hanging", 0);
        // the channel's attempts in flight (engine's max-concurrency) and per endpoint; workers by default, as before.
        // With hanging endpoints give both room: an asynchronous channel's attempts hold no worker, and a cap of
        // 16 in flight would let 16 hanging attempts block the channel as 16 workers did
        int channelConcurrency = intOption(opts, "channelConcurrency", workers);
        int perEndpoint = intOption(opts, "perEndpoint", workers);
        long maxNanos = intOption(opts, "maxSeconds", 300) * 1_000_000_000L;
        int warmup = intOption(opts, "warmup", 10_000);
        int receiverThreads = intOption(opts, "receiverThreads", 8);
        boolean keepAlive = Boolean.parseBoolean(option(opts, "keepAlive", "true"));
        String db = option(opts, "db", "h2");
        if (!db.equals("h2") && !db.equals("postgresql")) {
            throw new IllegalArgumentException("db is h2 or postgresql, got '" + db + "'");
        }
        Path dir = Files.createTempDirectory("notify-webhook-bench");
        AtomicLong received = new AtomicLong();
        Set<String> connections = ConcurrentHashMap.newKeySet();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        ExecutorService receiverPool = Executors.newFixedThreadPool(receiverThreads, r -> {
            Thread t = new Thread(r, "receiver");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(receiverPool);
        server.createContext("/", ex -> receive(ex, received, connections));
        server.start();
        HangingServer hangingServer = hanging > 0 ? HangingServer.start() : null;
        Counting counting = new Counting();
        // PostgreSQL: the test kit's throw-away cluster (Debian's binaries, fsync on), a fresh database
        try (JdbcNotificationStore jdbc = db.equals("h2") ? JdbcNotificationStore.openH2(dir)
                : JdbcNotificationStore.open(JdbcStoreConfig.builder().jdbcUrl(PostgresServer.shared().createDatabase()).poolSize(20).build())) {
            NotificationStore store = counting.wrap(jdbc);
            Instant now = Instant.now();
            for (int i = 0; i < endpoints; i++) {
                jdbc.webhookEndpoints().create(new WebhookEndpoint("wh_bench_" + i,
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/" + i,
                        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Optional.empty(), Optional.empty(), Set.of(), Set.of(), "bench",
                        true, 0, Optional.empty(), now, now));
            }
            ServiceConfig config = ServiceConfig.builder().workers(workers).queueCapacity(Math.max(100_000, total * endpoints * 2))
                    .config(Config.of(Map.of("channels.webhook.allow-private-networks", "true",
                            "channels.webhook.keep-alive", Boolean.toString(keepAlive),
                            "channels.webhook.max-concurrency", Integer.toString(channelConcurrency),
                            "channels.webhook.max-concurrency-per-endpoint", Integer.toString(perEndpoint))))
                    .build();
            try (NotificationService service = NotificationService.builder().config(config).store(store)
                    .discoverChannels(Set.of("webhook")).build()) {
                // warm-up: JIT, connection paths, H2 pages
                run(service, received, warmup, endpoints, Long.MAX_VALUE);
                for (int i = 0; i < hanging; i++) {
                    jdbc.webhookEndpoints().create(new WebhookEndpoint("wh_hanging_" + i,
                            "http://127.0.0.1:" + hangingServer.port() + "/hook/" + i,
                            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Optional.empty(), Optional.empty(), Set.of(), Set.of(), "bench",
                            true, 0, Optional.empty(), Instant.now(), Instant.now()));
                }
                if (hanging > 0) {
                    Thread.sleep(1500); // the channel's endpoint cache (endpoint-cache-ttl, 1 s) sees them
                }
                received.set(0);
                connections.clear();
                counting.reset();
                com.sun.management.OperatingSystemMXBean os =
                        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime();
                long pg0 = postgresCpuMillis();
                long start = System.nanoTime();
                run(service, received, total, endpoints, start + maxNanos);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;
                long pgMs = postgresCpuMillis() - pg0;
                long deliveries = received.get();
                // let the last attempts be recorded before counting the store's calls
                Thread.sleep(300);
                System.out.printf("webhook: %d deliveries (%d notifications x %d endpoints%s) in %.2f s = %.0f deliveries/s,"
                                + " CPU %.3f ms/delivery (workers=%d, keepAlive=%s, %s store, signatures on,"
                                + " receiver connections %d)%n",
                        deliveries, total, endpoints, hanging > 0 ? " + " + hanging + " hanging, not counted" : "", seconds,
                        deliveries / seconds, cpuMs / deliveries, workers, keepAlive,
                        db.equals("h2") ? "H2 file" : "PostgreSQL 15 (this JVM's CPU only)",
                        connections.size());
                if (db.equals("postgresql")) {
                    System.out.printf("PostgreSQL server processes: CPU %.3f ms/delivery (from /proc), so %.3f ms/delivery in all%n",
                            pgMs / (double) deliveries, (cpuMs + pgMs) / deliveries);
                }
                System.out.println("store calls per delivery: " + counting.perDelivery(deliveries));
            }
        } finally {
            server.stop(0);
            receiverPool.shutdownNow();
            if (hangingServer != null) {
                hangingServer.close();
            }
            dev.notify.bench.BenchSupport.deleteTree(dir); // the H2 files of a run reach hundreds of MB
        }
    }

    /**
     * CPU time (user + system) of this benchmark's PostgreSQL cluster (the postmaster the test kit
     * started for this JVM and its children), from /proc; 0 when there is none.
     */
    private static long postgresCpuMillis() {
        Path pidFile = Path.of("target", "postgres", "pg-" + ProcessHandle.current().pid(), "data", "postmaster.pid");
        long postmaster;
        try {
            postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        long millis = 0;
        java.io.File[] procs = new java.io.File("/proc").listFiles((d, name) -> name.chars().allMatch(Character::isDigit));
        for (java.io.File p : procs == null ? new java.io.File[0] : procs) {
            try {
                String stat = Files.readString(p.toPath().resolve("stat"));
                long pid = Long.parseLong(p.getName());
                long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                if (pid == postmaster || ppid == postmaster) {
                    millis += BenchSupport.cpuMillis(stat);
                }
            } catch (IOException | RuntimeException e) {
                // a process that ended meanwhile
            }
        }
        return millis;
    }

    private static String option(Map<String, String> opts, String key, String fallback) {
        String v = opts.get(key);
        return v != null ? v : System.getProperty(key, fallback);
    }

    private static int intOption(Map<String, String> opts, String key, int fallback) {
        return Integer.parseInt(option(opts, key, Integer.toString(fallback)));
    }

    private static void run(NotificationService service, AtomicLong received, int total, int endpoints, long deadlineNanos)
            throws InterruptedException {
        long target = received.get() + (long) total * endpoints;
        List<Notification> batch = new ArrayList<>(500);
        for (int i = 0; i < total; i++) {
            batch.add(Notification.builder().topic("task:bench").event("task.progress").channel("webhook")
                    .data(Map.of("percent", i % 100, "message", "Processing...")).build());
            if (batch.size() == 500 || i == total - 1) {
                service.batchNotify(batch);
                batch = new ArrayList<>(500);
            }
        }
        while (received.get() < target && System.nanoTime() - deadlineNanos < 0) {
            Thread.sleep(5);
        }
    }

    /** A realistic receiver: reads the whole body, answers 200 without a body, keeps the connection. */
    private static void receive(HttpExchange ex, AtomicLong received, Set<String> connections) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        connections.add(ex.getRemoteAddress().toString());
        ex.sendResponseHeaders(200, -1);
        ex.close();
        received.incrementAndGet();
    }

    /** Counts the calls the engine and the channel make to the store (and to its endpoint store). */
    private static final class Counting {
        private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

        NotificationStore wrap(NotificationStore store) {
            WebhookEndpointStore endpoints = (WebhookEndpointStore) proxy(WebhookEndpointStore.class, "endpoints.", store.webhookEndpoints());
            return (NotificationStore) Proxy.newProxyInstance(NotificationStore.class.getClassLoader(),
                    new Class<?>[] {NotificationStore.class}, (p, m, a) -> {
                        if (m.getName().equals("webhookEndpoints") && m.getParameterCount() == 0) {
                            return endpoints;
                        }
                        return call(store, "store.", m, a);
                    });
        }

        private Object proxy(Class<?> type, String prefix, Object target) {
            InvocationHandler h = (p, m, a) -> call(target, prefix, m, a);
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
        }

        private Object call(Object target, String prefix, java.lang.reflect.Method m, Object[] a) throws Throwable {
            if (m.getDeclaringClass() != Object.class) {
                calls.computeIfAbsent(prefix + m.getName(), k -> new LongAdder()).increment();
            }
            try {
                return m.invoke(target, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        void reset() {
            calls.clear();
        }

        String perDelivery(long deliveries) {
            Map<String, String> out = new TreeMap<>();
            double sum = 0;
            for (Map.Entry<String, LongAdder> e : calls.entrySet()) {
                double v = e.getValue().sum() / (double) deliveries;
                sum += v;
                out.put(e.getKey(), String.format("%.3f", v));
            }
            return String.format("%.3f in all %s", sum, out);
        }
    }
}
