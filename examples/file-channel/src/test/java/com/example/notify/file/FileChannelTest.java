package com.example.notify.file;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.Delivery;
import dev.notify.testkit.SimpleJsonCodec;
import dev.notify.testkit.TestChannelContext;
import dev.notify.testkit.TestDeliveries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The file channel")
class FileChannelTest {

    private static final SimpleJsonCodec JSON = new SimpleJsonCodec();
    private static final Instant NOW = Instant.parse("2024-01-15T10:30:00Z");

    @TempDir
    Path dir;

    private TestChannelContext context;

    private Channel open(Path file) {
        context = TestChannelContext.builder("file")
                .config(Map.of("path", file.toString()))
                .json(JSON)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        return new FileChannelProvider().create(context);
    }

    @AfterEach
    void closeContext() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void appendsEachDeliveryAsOneJsonLine() throws Exception {
        Path file = dir.resolve("out").resolve("deliveries.jsonl");
        try (Channel channel = open(file)) {
            Notification n = Notification.builder().recipients(List.of("u1", "u2")).topic("task:abc123").event("task.progress")
                    .priority(Priority.HIGH).title("Import running").body("line one\nline \"two\"")
                    .data(Map.of("percent", 50)).createdAt(NOW).build();

            assertThat(channel.targets(n)).containsExactly("u1", "u2");
            assertThat(channel.deliver(delivery(n, "u1", 1)).outcome()).isEqualTo(DeliveryResult.Outcome.SENT);
            assertThat(channel.deliver(delivery(n, "u2", 2)).outcome()).isEqualTo(DeliveryResult.Outcome.SENT);
        }

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        Map<String, Object> first = JSON.parseObject(lines.get(0));
        assertThat(first).containsEntry("target", "u1").containsEntry("event", "task.progress")
                .containsEntry("priority", "high").containsEntry("topic", "task:abc123")
                .containsEntry("title", "Import running").containsEntry("body", "line one\nline \"two\"")
                .containsEntry("createdAt", "2024-01-15T10:30:00Z").containsEntry("deliveredAt", "2024-01-15T10:30:00Z");
        assertThat(first.get("data")).isEqualTo(Map.of("percent", new BigDecimal(50)));
        assertThat(JSON.parseObject(lines.get(1))).containsEntry("target", "u2").containsEntry("attempt", new BigDecimal(2));
    }

    @Test
    void keepsWhatTheFileHeldBefore() throws Exception {
        Path file = dir.resolve("deliveries.jsonl");
        Files.writeString(file, "{\"earlier\":true}\n");
        try (Channel channel = open(file)) {
            channel.deliver(delivery(Notification.builder().recipient("u1").title("later").build(), "u1", 1));
        }
        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("{\"earlier\":true}");
    }

    @Test
    void concurrentDeliveriesNeverInterleaveLines() throws Exception {
        Path file = dir.resolve("deliveries.jsonl");
        int threads = 8;
        int perThread = 200;
        String big = "x".repeat(5000);
        try (Channel channel = open(file)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            Notification n = Notification.builder().recipient("u" + thread).title(thread + "/" + i).body(big).build();
                            assertThat(channel.deliver(delivery(n, "u" + thread, 1)).outcome()).isEqualTo(DeliveryResult.Outcome.SENT);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(threads * perThread);
        assertThat(lines).allSatisfy(l -> assertThat(JSON.parseObject(l)).containsEntry("body", big));
        assertThat(lines.stream().map(l -> JSON.parseObject(l).get("title")).distinct().count()).isEqualTo(threads * perThread);
    }

    @Test
    void asksForARetryAfterItWasClosed() {
        Channel channel = open(dir.resolve("deliveries.jsonl"));
        channel.close();
        DeliveryResult r = channel.deliver(delivery(Notification.builder().recipient("u1").title("late").build(), "u1", 1));
        assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
    }

    @Test
    void refusesToStartWithoutAPath() {
        context = TestChannelContext.builder("file").json(JSON).build();
        assertThatThrownBy(() -> new FileChannelProvider().create(context))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels.file.path is required");
    }

    @Test
    void refusesAPathItCannotOpen() throws Exception {
        Path aDirectory = Files.createDirectories(dir.resolve("a-directory"));
        assertThatThrownBy(() -> open(aDirectory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels.file.path = '" + aDirectory + "' cannot be opened");
    }

    private static Delivery delivery(Notification n, String target, int attempt) {
        return TestDeliveries.of(n, "file", target, attempt);
    }
}
