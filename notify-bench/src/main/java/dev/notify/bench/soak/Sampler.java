package dev.notify.bench.soak;

import dev.notify.bench.BenchSupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the server process and the load every interval into a {@link Sample}: heap after a full
 * GC over JMX ({@link ServerJvm}), RSS, descriptors and threads from {@code /proc}, connections and queue
 * depth from the server's Prometheus {@code /metrics}, latencies and counts from the {@link Ledger}
 * and the {@link WebhookReceivers}.
 */
final class Sampler {

    private final long pid;
    private final ServerJvm jvm;
    private final URI metrics;
    private final Ledger ledger;
    private final WebhookReceivers hooks;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Sample> samples = new ArrayList<>();
    private final long startNanos;
    private long lastNanos;
    private long lastPublished;
    private long lastReceived;
    private double lastWebhookSent;
    private long lastHealthy;
    private long lastLate;
    private long lastReconnects;
    private long lastDrops;

    Sampler(long pid, ServerJvm jvm, URI base, Ledger ledger, WebhookReceivers hooks) {
        this.pid = pid;
        this.jvm = jvm;
        this.metrics = base.resolve("/metrics");
        this.ledger = ledger;
        this.hooks = hooks;
        this.startNanos = System.nanoTime();
        this.lastNanos = startNanos;
        this.lastWebhookSent = scrapeQuietly().webhookSent;
    }

    /** Takes one sample (a full GC of the server among it) and prints it. */
    Sample sample() {
        long heap = jvm.heapUsedAfterGc();
        Scrape m = scrapeQuietly();
        long now = System.nanoTime();
        double dt = (now - lastNanos) / 1e9;
        lastNanos = now;
        long[] lat = ledger.streamLatency.drain();
        long[] hookLat = ledger.hookLatency.drain();
        long published = ledger.published.sum();
        long received = ledger.received.sum();
        long healthy = hooks.healthyDeliveries.sum();
        long late = hooks.late.sum();
        long reconnects = ledger.reconnects.sum();
        long drops = ledger.drops.sum();
        Sample s = new Sample((now - startNanos) / 1e9, heap / 1048576.0, BenchSupport.rssKb(pid) / 1024.0, BenchSupport.openFds(pid),
                BenchSupport.threads(pid), (long) m.connections, (long) m.queueDepth, hooks.backlog(), (published - lastPublished) / dt,
                (received - lastReceived) / dt, BenchSupport.percentileMillisOfSorted(lat, 50), BenchSupport.percentileMillisOfSorted(lat, 99),
                Math.max(0, m.webhookSent - lastWebhookSent) / dt, (healthy - lastHealthy) / dt,
                BenchSupport.percentileMillisOfSorted(hookLat, 99), late - lastLate, reconnects - lastReconnects, drops - lastDrops,
                hooks.heldOpen());
        lastPublished = published;
        lastReceived = received;
        if (!Double.isNaN(m.webhookSent)) {
            lastWebhookSent = m.webhookSent;
        }
        lastHealthy = healthy;
        lastLate = late;
        lastReconnects = reconnects;
        lastDrops = drops;
        samples.add(s);
        System.out.printf(Locale.ROOT, "   %5.0f s  heap %6.1f MiB  rss %6.1f MiB  fds %5d  threads %4d  conns %5d  queue %5d  backlog %6d  pub %6.0f/s  recv %6.0f/s"
                        + "  p50 %6.1f ms  p99 %7.1f ms  hooks %5.0f/s (healthy %5.0f/s, p99 %6.1f ms, late %d)  reconnects %d  drops %d%n",
                s.seconds(), s.heapMb(), s.rssMb(), s.fds(), s.threads(), s.connections(), s.queueDepth(), s.hookBacklog(), s.publishedPerS(),
                s.receivedPerS(), s.p50Ms(), s.p99Ms(), s.webhookSentPerS(), s.healthyHooksPerS(), s.hookP99Ms(), s.lateHooks(),
                s.reconnects(), s.drops());
        return s;
    }

    List<Sample> samples() {
        return samples;
    }

    /** The figures the soak reads from {@code /metrics}; NaN when the scrape failed. */
    private record Scrape(double connections, double queueDepth, double webhookSent) {
    }

    private Scrape scrapeQuietly() {
        try {
            String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double connections = 0;
            double queue = 0;
            double sent = Double.NaN;
            for (String line : text.split("\n")) {
                if (line.startsWith("notify_stream_connections{") && (line.contains("channel=\"sse\"") || line.contains("channel=\"ws\""))) {
                    connections += value(line);
                } else if (line.startsWith("notify_queue_depth{") || line.startsWith("notify_queue_depth ")) {
                    queue += value(line);
                } else if (line.startsWith("notify_deliveries_sent_total{") && line.contains("channel=\"webhook\"")) {
                    sent = value(line);
                }
            }
            return new Scrape(connections, queue, sent);
        } catch (IOException | RuntimeException e) {
            return new Scrape(Double.NaN, Double.NaN, Double.NaN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Scrape(Double.NaN, Double.NaN, Double.NaN);
        }
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
