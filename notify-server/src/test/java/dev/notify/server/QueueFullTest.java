package dev.notify.server;

import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.core.ServiceConfig;
import dev.notify.server.internal.cli.ServeCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A full delivery queue")
class QueueFullTest {

    private static final String PUBLISH = "{\"recipients\":[\"u1\"],\"title\":\"wait\",\"channels\":[\"blocking\"]}";

    @Test
    @DisplayName("--workers and --queue-capacity come from flags, the environment or the config file, with the engine's defaults")
    void workersAndQueueCapacityAreOptions(@TempDir Path tmp) throws Exception {
        ServerSettings defaults = ServeCommand.parse(new String[0], Map.of());
        assertThat(defaults.workers()).isEqualTo(ServiceConfig.defaults().workers());
        assertThat(defaults.queueCapacity()).isEqualTo(ServiceConfig.defaults().queueCapacity());

        ServerSettings flags = ServeCommand.parse(new String[] {"--workers", "2", "--queue-capacity", "10"}, Map.of());
        assertThat(flags.workers()).isEqualTo(2);
        assertThat(flags.queueCapacity()).isEqualTo(10);

        ServerSettings env = ServeCommand.parse(new String[0], Map.of("NOTIFY_WORKERS", "3", "NOTIFY_QUEUE_CAPACITY", "30"));
        assertThat(env.workers()).isEqualTo(3);
        assertThat(env.queueCapacity()).isEqualTo(30);

        Path file = Files.writeString(tmp.resolve("notify.properties"), "workers=4\nqueue-capacity=40\n");
        ServerSettings config = ServeCommand.parse(new String[] {"--config", file.toString()}, Map.of());
        assertThat(config.workers()).isEqualTo(4);
        assertThat(config.queueCapacity()).isEqualTo(40);

        assertThat(ServeCommand.usage()).contains("--workers", "--queue-capacity");
    }

    @Test
    @DisplayName("refuses a publish with 503, a problem document and Retry-After, and accepts again once it drains")
    void refusesWith503AndRetryAfter(@TempDir Path tmp) throws Exception {
        int capacity = 2;
        ServerSettings settings = ServeCommand.parse(new String[] {"--host", "127.0.0.1", "--port", "0",
            "--data-dir", tmp.toString(), "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET,
            "--workers", "1", "--queue-capacity", String.valueOf(capacity), "--access-log=false", "--shutdown-timeout", "1s"}, Map.of());
        BlockingChannel blocking = new BlockingChannel();
        try (NotifyServer server = NotifyServer.start(settings)) {
            server.service().registerChannel(blocking);
            HttpClient client = HttpClient.newHttpClient();
            URI publish = server.baseUri().resolve("/api/v1/notifications");

            // the one worker takes the first delivery and is stuck in it; the queue holds the next ones
            assertThat(post(client, publish).statusCode()).isEqualTo(202);
            assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).as("the worker reached the blocking channel").isTrue();

            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> refused = null;
            for (int i = 0; i <= capacity && refused == null; i++) {
                HttpResponse<String> r = post(client, publish);
                statuses.add(r.statusCode());
                if (r.statusCode() == 503) {
                    refused = r;
                }
            }
            assertThat(refused).as("statuses of the publishes after the first: %s", statuses).isNotNull();
            assertThat(statuses.subList(0, statuses.size() - 1)).as("accepted until the queue was full").containsOnly(202);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            Map<String, Object> problem = server.service().json().parseObject(refused.body());
            assertThat(problem.get("status").toString()).isEqualTo("503");
            assertThat(problem).containsEntry("title", "Service Unavailable");
            assertThat((String) problem.get("detail")).contains("queue is full");

            blocking.release.countDown();
            HttpResponse<String> again = awaitAccepted(client, publish, Duration.ofSeconds(20));
            assertThat(again.statusCode()).isEqualTo(202);
        } finally {
            blocking.release.countDown();
        }
    }

    private static HttpResponse<String> awaitAccepted(HttpClient client, URI publish, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> r;
        do {
            r = post(client, publish);
            if (r.statusCode() == 202) {
                return r;
            }
            // Retry-After says when to come back; the test has no clock to move, so it polls a little
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return r;
    }

    private static HttpResponse<String> post(HttpClient client, URI publish) throws Exception {
        return client.send(HttpRequest.newBuilder(publish).header("Authorization", "Bearer " + TestServer.API_KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(PUBLISH)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A push channel whose deliveries wait until the test releases them. */
    static final class BlockingChannel implements Channel {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "blocking";
        }

        @Override
        public ChannelKind kind() {
            return ChannelKind.PUSH;
        }

        @Override
        public DeliveryResult deliver(Delivery delivery) {
            entered.countDown();
            try {
                return release.await(30, TimeUnit.SECONDS) ? DeliveryResult.sent() : DeliveryResult.retryLater("not released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return DeliveryResult.retryLater("interrupted");
            }
        }

        @Override
        public void close() {
            release.countDown();
        }
    }
}
