package dev.notify.bench.core;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.bench.BenchSupport;
import dev.notify.core.NotificationService;
import dev.notify.core.ServiceConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * End-to-end in-memory throughput (publish to a no-op channel, default 5 workers, in-memory
 * store) and the latency of {@code notify()} (validate, store, enqueue) under that load.
 *
 * <p>Run: {@code mvn -q -pl notify-bench -am install -DskipTests && mvn -q -pl notify-bench exec:exec -Dbench=dev.notify.bench.core.CoreBenchmark}
 */
public final class CoreBenchmark {

    private static final int PER_ROUND = 400_000;
    private static final int PRODUCERS = 2;
    /**
     * Seconds to pause after the warm-up rounds ({@code -Dbench.settle-seconds}, default 0), so the
     * JIT's compile queue drains before the measured rounds, as in a process that has run a while.
     */
    private static final int SETTLE_SECONDS = Integer.getInteger("bench.settle-seconds", 0);

    private CoreBenchmark() {
    }

    /** A push channel that does nothing: what is measured is Notify itself. */
    static final class NoopChannel implements Channel {
        final LongAdder delivered = new LongAdder();
        volatile CountDownLatch done;
        private final ChannelKind kind;

        NoopChannel(ChannelKind kind) {
            this.kind = kind;
        }

        @Override
        public String name() {
            return "noop";
        }

        @Override
        public ChannelKind kind() {
            return kind;
        }

        @Override
        public DeliveryResult deliver(Delivery d) {
            delivered.increment();
            done.countDown();
            return DeliveryResult.sent();
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "Java %s, %d cores, max heap %d MiB%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        String only = args.length > 0 ? args[0] : "all";
        for (ChannelKind kind : new ChannelKind[]{ChannelKind.PUSH, ChannelKind.STREAM}) {
            if (only.equals("all") || only.equalsIgnoreCase(kind.name())) {
                throughput(kind);
            }
        }
        if (only.equals("all") || only.equals("latency")) {
            latency();
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private static void throughput(ChannelKind kind) throws Exception {
        List<Double> rates = new ArrayList<>();
        List<Double> cpuPer = new ArrayList<>();
        // the measured rounds' CPU by thread group, to say where a difference between two builds lies
        Map<String, Long> byThread = new TreeMap<>();
        long self = ProcessHandle.current().pid();
        for (int round = 0; round < 8; round++) {
            if (round == 3 && SETTLE_SECONDS > 0) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS));
            }
            NoopChannel channel = new NoopChannel(kind);
            try (NotificationService s = NotificationService.builder()
                    .config(ServiceConfig.builder().queueCapacity(PER_ROUND + 1).build()).channel(channel).build()) {
                channel.done = new CountDownLatch(PER_ROUND);
                // the engine's threads live as long as the service: their CPU is read before it closes; the producers'
                // by themselves, before they end
                Map<String, Long> threads0 = BenchSupport.threadCpuMillis(self);
                LongAdder producerNanos = new LongAdder();
                long start = System.nanoTime();
                long cpuStart = OS.getProcessCpuTime();
                Thread[] producers = new Thread[PRODUCERS];
                for (int p = 0; p < PRODUCERS; p++) {
                    int id = p;
                    producers[p] = new Thread(() -> {
                        for (int i = 0; i < PER_ROUND / PRODUCERS; i++) {
                            s.notify(Notification.builder().recipient("user-" + (i % 1000)).event("task.progress")
                                    .title("t").build());
                        }
                        producerNanos.add(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                    }, "producer-" + id);
                    producers[p].start();
                }
                for (Thread t : producers) {
                    t.join();
                }
                if (!channel.done.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("not all delivered");
                }
                double secs = (System.nanoTime() - start) / 1e9;
                double cpuMicros = (OS.getProcessCpuTime() - cpuStart) / 1e3 / PER_ROUND;
                double rate = PER_ROUND / secs;
                if (round >= 3) {
                    rates.add(rate);
                    cpuPer.add(cpuMicros);
                    Map<String, Long> threads1 = BenchSupport.threadCpuMillis(self);
                    for (Map.Entry<String, Long> e : threads1.entrySet()) {
                        long d = e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
                        if (d > 0 && !e.getKey().startsWith("producer")) {
                            byThread.merge(e.getKey(), d, Long::sum);
                        }
                    }
                    byThread.merge("producer-", producerNanos.sum() / 1_000_000, Long::sum);
                }
                System.out.printf(Locale.ROOT, "  %s round %d%s: %,.0f notifications/s delivered, %.2f µs CPU each (GC and JIT included)%n",
                        kind, round, round < 3 ? " (warm-up)" : "", rate, cpuMicros);
            }
        }
        rates.sort(null);
        cpuPer.sort(null);
        double cpu = cpuPer.get(cpuPer.size() / 2);
        System.out.printf(Locale.ROOT, "RESULT end-to-end %s channel, %d workers: median %,.0f/s (min %,.0f, max %,.0f) over %d rounds of %,d;"
                        + " median %.2f µs of CPU per notification = %,.0f/s if all %d cores were ours%n",
                kind, ServiceConfig.defaults().workers(), rates.get(rates.size() / 2), rates.get(0), rates.get(rates.size() - 1),
                rates.size(), PER_ROUND, cpu, Runtime.getRuntime().availableProcessors() * 1e6 / cpu,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "RESULT %s CPU of the %d measured rounds by thread group, ms: %s%n", kind, rates.size(),
                BenchSupport.threadCpuDelta(Map.of(), byThread));
    }

    /** The time a publisher waits in notify(): validation, template, store, enqueue. */
    /**
     * {@code notify()} latency while the workers deliver, at a fixed offered rate ({@code -Dbench.rate},
     * default 100,000/s: half the throughput target, a busy server rather than a saturated one), and
     * as a closed loop (each call right after the previous one: the producer then competes with five
     * workers for two cores, and the tail is mostly the scheduler preempting it).
     */
    private static void latency() throws Exception {
        int rate = Integer.getInteger("bench.rate", 100_000);
        latency(rate, "offered " + String.format(Locale.ROOT, "%,d", rate) + "/s");
        latency(0, "closed loop, as fast as one producer can call");
    }

    private static void latency(int rate, String how) throws Exception {
        int n = 200_000;
        long[] nanos = new long[n];
        long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        NoopChannel channel = new NoopChannel(ChannelKind.PUSH);
        try (NotificationService s = NotificationService.builder()
                .config(ServiceConfig.builder().queueCapacity(2 * n).build()).channel(channel).build()) {
            channel.done = new CountDownLatch(2 * n);
            for (int phase = 0; phase < 2; phase++) { // the first phase warms up
                long next = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Notification note = Notification.builder().recipient("user-" + (i % 1000)).event("task.progress").title("t").build();
                    if (interval > 0) {
                        next += interval;
                        while (System.nanoTime() < next) {
                            Thread.onSpinWait();
                        }
                    }
                    long t0 = System.nanoTime();
                    s.notify(note);
                    nanos[i] = System.nanoTime() - t0;
                }
            }
            channel.done.await(5, TimeUnit.MINUTES);
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "RESULT enqueue latency (notify() call, in-memory store, workers busy, %s): p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs over %,d calls%n",
                how, nanos[n / 2] / 1e3, nanos[(int) (n * 0.99)] / 1e3, nanos[(int) (n * 0.999)] / 1e3, nanos[n - 1] / 1e3, n);
    }
}
