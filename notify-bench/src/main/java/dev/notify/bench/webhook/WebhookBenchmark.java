package dev.notify.bench.webhook;

import dev.notify.api.Notification;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.NotificationStore;
import dev.notify.core.NotificationService;
import dev.notify.core.ServiceConfig;
import dev.notify.store.jdbc.JdbcNotificationStore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook deliveries per second to a local receiver: the real engine, the JDBC store on H2 files
 * (every delivery row and attempt persisted), the webhook channel found through ServiceLoader
 * (HMAC signatures, a fresh checked connection per attempt). The receiver answers 204 on loopback.
 *
 * <pre>
 * mvn -q -o -pl notify-bench exec:exec -Dbench=dev.notify.bench.webhook.WebhookBenchmark -Dnotifications=30000 -Dworkers=16
 * </pre>
 */
public final class WebhookBenchmark {

    private WebhookBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int total = Integer.getInteger("notifications", 30_000);
        int workers = Integer.getInteger("workers", 16);
        int endpoints = Integer.getInteger("endpoints", 1);
        Path dir = Files.createTempDirectory("notify-webhook-bench");
        AtomicLong received = new AtomicLong();
        try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
             NotificationStore store = JdbcNotificationStore.openH2(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(workers * 2);
            Thread acceptor = new Thread(() -> accept(server, pool, received), "receiver");
            acceptor.setDaemon(true);
            acceptor.start();
            Instant now = Instant.now();
            for (int i = 0; i < endpoints; i++) {
                store.webhookEndpoints().create(new WebhookEndpoint("wh_bench_" + i, "http://127.0.0.1:" + server.getLocalPort() + "/hook/" + i,
                        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Optional.empty(), Optional.empty(), Set.of(), Set.of(), "bench",
                        true, 0, Optional.empty(), now, now));
            }
            ServiceConfig config = ServiceConfig.builder().workers(workers).queueCapacity(Math.max(100_000, total * endpoints * 2))
                    .config(Config.of(Map.of("channels.webhook.allow-private-networks", "true",
                            "channels.webhook.max-concurrency", Integer.toString(workers),
                            "channels.webhook.max-concurrency-per-endpoint", Integer.toString(workers))))
                    .build();
            try (NotificationService service = NotificationService.builder().config(config).store(store)
                    .discoverChannels(Set.of("webhook")).build()) {
                // warm-up: JIT, connection paths, H2 pages
                run(service, received, Math.min(2000, total), endpoints);
                received.set(0);
                long start = System.nanoTime();
                run(service, received, total, endpoints);
                double seconds = (System.nanoTime() - start) / 1e9;
                long deliveries = (long) total * endpoints;
                System.out.printf("webhook: %d deliveries (%d notifications x %d endpoints) in %.2f s = %.0f deliveries/s"
                                + " (workers=%d, H2 file store, signatures on, one connection per attempt)%n",
                        deliveries, total, endpoints, seconds, deliveries / seconds, workers);
            }
            pool.shutdownNow();
        }
    }

    private static void run(NotificationService service, AtomicLong received, int total, int endpoints) throws InterruptedException {
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
        while (received.get() < target) {
            Thread.sleep(5);
        }
    }

    private static void accept(ServerSocket server, ExecutorService pool, AtomicLong received) {
        byte[] answer = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            pool.execute(() -> {
                try (s) {
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    int length = 0;
                    StringBuilder line = new StringBuilder();
                    while (true) {
                        int c = in.read();
                        if (c < 0) {
                            return;
                        }
                        if (c == '\n') {
                            String l = line.toString().trim();
                            if (l.isEmpty()) {
                                break;
                            }
                            if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                                length = Integer.parseInt(l.substring(15).trim());
                            }
                            line.setLength(0);
                        } else {
                            line.append((char) c);
                        }
                    }
                    in.readNBytes(length);
                    OutputStream out = s.getOutputStream();
                    out.write(answer);
                    out.flush();
                    received.incrementAndGet();
                } catch (IOException e) {
                    // the sender went away
                }
            });
        }
    }
}
