package dev.notify.bench.store;

import dev.notify.testkit.PostgresServer;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.store.jdbc.JdbcNotificationStore;
import dev.notify.store.jdbc.JdbcStoreConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durable throughput of the JDBC store on embedded H2 and on a local PostgreSQL (started by
 * {@link PostgresServer}): single publishes from 16 threads, batches of 100, and claim-and-complete
 * of deliveries. Each measurement runs on a fresh database, after a warm-up of the same work.
 *
 * <p>Run: {@code mvn -q -pl notify-bench -am install -DskipTests && mvn -q -pl notify-bench exec:exec
 * -Dbench=dev.notify.bench.store.StoreBenchmark}
 * (system properties {@code -Dbench.db=h2|postgresql|all}, {@code -Dbench.scenario=single|batch|claim|all},
 * {@code -Dbench.seconds=10}, {@code -Dbench.warmup=10}; system properties reach the benchmark only when it is started
 * with {@code java -cp ...} directly, not through {@code exec:exec}).
 */
public final class StoreBenchmark {

    private static final int SINGLE_THREADS = 16;
    /** Batches are published from 4 threads and from 16 (the thread count); more callers make larger groups. */
    private static final int[] BATCH_THREADS = {4, 16};
    private static final int BATCH = 100;
    private static final int CLAIMERS = 2;
    private static final int WORKERS = 32;
    private static final int CLAIM_LIMIT = 100;

    private static final AtomicLong IDS = new AtomicLong();

    private StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String which = System.getProperty("bench.db", "all");
        int seconds = Integer.getInteger("bench.seconds", 10);
        System.out.printf(Locale.ROOT, "JDBC store benchmark: %d s measured after %d s warm-up, %d cores, %s%n",
                seconds, warmupSeconds(seconds), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        if (which.equals("all") || which.equals("h2")) {
            // a database per scenario; they reach gigabytes, so they go when the run ends (and what an interrupted run left, now)
            Path h2 = Path.of("target", "bench-h2");
            dev.notify.bench.BenchSupport.deleteTree(h2);
            try {
                run("H2 (embedded file)", () -> JdbcStoreConfig.builder()
                        .dataDirectory(h2.resolve(UUID.randomUUID().toString())).poolSize(20).build(), seconds);
            } finally {
                dev.notify.bench.BenchSupport.deleteTree(h2);
            }
        }
        if (which.equals("all") || which.equals("postgresql")) {
            PostgresServer pg = PostgresServer.shared();
            run("PostgreSQL 15 (local, fsync on)", () -> JdbcStoreConfig.builder().jdbcUrl(pg.createDatabase()).poolSize(20).build(), seconds);
        }
        System.exit(0);
    }

    private interface ConfigSource {
        JdbcStoreConfig next();
    }

    private static boolean selected(String scenario) {
        String which = System.getProperty("bench.scenario", "all");
        return which.equals("all") || which.equals(scenario);
    }

    /** {@code bench.warmup} seconds of the same work before each measurement; by default 10 (JIT compilation of H2's paths ran on for more than 5 s). */
    private static int warmupSeconds(int seconds) {
        return Integer.getInteger("bench.warmup", Math.max(3, seconds));
    }

    private static void run(String name, ConfigSource configs, int seconds) throws Exception {
        int warmup = warmupSeconds(seconds);
        System.out.println();
        System.out.println("== " + name);
        if (selected("single")) {
            try (JdbcNotificationStore store = JdbcNotificationStore.open(configs.next())) {
                measure(store, warmup, SINGLE_THREADS, StoreBenchmark::single);
                report("publish, single, " + SINGLE_THREADS + " threads", measure(store, seconds, SINGLE_THREADS, StoreBenchmark::single),
                        "notifications/s");
            }
        }
        if (selected("batch")) {
            for (int threads : BATCH_THREADS) {
                try (JdbcNotificationStore store = JdbcNotificationStore.open(configs.next())) {
                    measure(store, warmup, threads, StoreBenchmark::batch);
                    report("publish, batches of " + BATCH + ", " + threads + " threads",
                            measure(store, seconds, threads, StoreBenchmark::batch), "notifications/s");
                }
            }
        }
        if (!selected("claim")) {
            return;
        }
        try (JdbcNotificationStore store = JdbcNotificationStore.open(configs.next())) {
            fill(store, 20_000);
            claimAndComplete(store, warmup);
            fill(store, 200_000);
            report("claim-and-complete, " + CLAIMERS + " claimers, " + WORKERS + " workers",
                    claimAndComplete(store, seconds), "deliveries/s");
        }
    }

    private static void report(String what, double[] result, String unit) {
        System.out.printf(Locale.ROOT, "%-52s %,10.0f %-16s %6.0f µs JVM CPU each, load %.1f%n", what, result[0], unit, result[1],
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** CPU time of this JVM (not of the PostgreSQL server), to read figures on a shared machine. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    // ---- publishing -------------------------------------------------------------------------

    /** A typical publish: one recipient, one event-log entry, one webhook delivery. */
    private static PublishRequest request() {
        String id = "b-" + IDS.incrementAndGet();
        String user = "user-" + (id.hashCode() & 1023);
        Instant now = Instant.now();
        Notification n = Notification.builder().id(id).recipient(user).event("task.progress").topic("task:" + (id.hashCode() & 63))
                .title("Import running").data(java.util.Map.of("percent", 50, "message", "Processing...")).createdAt(now).build();
        return new PublishRequest(n, "bench", List.of(Audience.user(user)), List.of(new NewDelivery("webhook", "ep-1", now)),
                Optional.empty());
    }

    private interface Worker {
        /** Does one unit of work; returns how many notifications it stored. */
        int run(JdbcNotificationStore store);
    }

    private static int single(JdbcNotificationStore store) {
        store.save(request());
        return 1;
    }

    private static int batch(JdbcNotificationStore store) {
        List<PublishRequest> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(request());
        }
        store.saveAll(batch);
        return BATCH;
    }

    private static double[] measure(JdbcNotificationStore store, int seconds, int threads, Worker worker) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        CountDownLatch finished = new CountDownLatch(threads);
        long cpu = cpuNanos();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                try {
                    while (!stop.get()) {
                        done.add(worker.run(store));
                    }
                } finally {
                    finished.countDown();
                }
            }, "bench-publisher-" + t).start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        finished.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new double[] {done.sum() / elapsed, (cpuNanos() - cpu) / 1e3 / done.sum()};
    }

    // ---- deliveries -------------------------------------------------------------------------

    private static void fill(JdbcNotificationStore store, int deliveries) {
        List<PublishRequest> batch = new ArrayList<>(1000);
        for (int i = 0; i < deliveries; i++) {
            batch.add(request());
            if (batch.size() == 1000) {
                store.saveAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.saveAll(batch);
        }
    }

    /**
     * Claims and completes due deliveries for {@code seconds}, shaped like the engine: a couple of
     * claimer threads lease batches of {@value #CLAIM_LIMIT} and hand them to a pool of
     * {@value #WORKERS} workers, each of which records a sent attempt per delivery.
     */
    private static double[] claimAndComplete(JdbcNotificationStore store, int seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        java.util.concurrent.BlockingQueue<DeliveryRecord> claimed = new java.util.concurrent.ArrayBlockingQueue<>(4 * CLAIM_LIMIT);
        CountDownLatch claimersDone = new CountDownLatch(CLAIMERS);
        CountDownLatch workersDone = new CountDownLatch(WORKERS);
        long cpu = cpuNanos();
        long start = System.nanoTime();
        for (int t = 0; t < CLAIMERS; t++) {
            String node = "node-" + t;
            new Thread(() -> {
                try {
                    while (!stop.get()) {
                        Instant now = Instant.now();
                        List<DeliveryRecord> batch = store.claimDue(now, CLAIM_LIMIT, new Lease(node, now.plusSeconds(60)));
                        if (batch.isEmpty()) {
                            break;
                        }
                        for (DeliveryRecord d : batch) {
                            claimed.put(d);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    claimersDone.countDown();
                }
            }, "bench-claimer-" + t).start();
        }
        for (int t = 0; t < WORKERS; t++) {
            new Thread(() -> {
                try {
                    while (true) {
                        DeliveryRecord d = claimed.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                        if (d == null) {
                            if (claimersDone.getCount() == 0 && claimed.isEmpty()) {
                                break;
                            }
                            continue;
                        }
                        store.recordAttempt(DeliveryAttempt.of(d.id(), 1, Instant.now(), Duration.ofMillis(1), DeliveryResult.sent()),
                                DeliveryStatus.SENT, Optional.empty());
                        done.increment();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    workersDone.countDown();
                }
            }, "bench-worker-" + t).start();
        }
        claimersDone.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
        stop.set(true);
        workersDone.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new double[] {done.sum() / elapsed, (cpuNanos() - cpu) / 1e3 / Math.max(1, done.sum())};
    }
}
