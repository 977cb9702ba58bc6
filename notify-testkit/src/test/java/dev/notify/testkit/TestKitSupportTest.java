package dev.notify.testkit;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestKitSupportTest {

    @Nested
    @DisplayName("TestChannelContext")
    class TestChannelContextTest {

        @Test
        @DisplayName("reads configuration from a map and uses the given clock")
        void configAndClock() {
            Clock fixed = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
            try (TestChannelContext context = TestChannelContext.builder("file")
                    .config(Map.of("path", "/tmp/x", "interval", "5s")).clock(fixed).build()) {
                assertThat(context.config().get("path")).contains("/tmp/x");
                assertThat(context.config().getDuration("interval", Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
                assertThat(context.clock().instant()).isEqualTo(fixed.instant());
                assertThat(context.web()).isEmpty();
                assertThat(context.logger().getName()).isEqualTo("dev.notify.channel.file");
            }
        }

        @Test
        @DisplayName("names the builder method to call when a piece it was not given is asked for")
        void missingPiecesSayWhatToDo() {
            try (TestChannelContext context = TestChannelContext.builder("file").build()) {
                assertThatThrownBy(context::json).isInstanceOf(IllegalStateException.class).hasMessageContaining("json(JsonCodec)");
                assertThatThrownBy(context::hub).isInstanceOf(IllegalStateException.class).hasMessageContaining("hub(SubscriberHub)");
                assertThatThrownBy(context::eventLog).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(context::inbox).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(context::webhookEndpoints).isInstanceOf(IllegalStateException.class);
            }
        }

        @Test
        @DisplayName("runs scheduled tasks on a scheduler it shuts down on close")
        void ownsItsScheduler() throws Exception {
            TestChannelContext context = TestChannelContext.builder("file").build();
            CountDownLatch ran = new CountDownLatch(1);
            context.scheduler().execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();

            context.close();
            context.close();

            assertThat(context.scheduler().isShutdown()).isTrue();
        }

        @Test
        @DisplayName("records metrics by default")
        void recordsMetrics() {
            try (TestChannelContext context = TestChannelContext.builder("file").build()) {
                context.metrics().count("notify.file.written", 2, "channel", "file");
                context.metrics().count("notify.file.written", 1, "channel", "file");
                context.metrics().time("notify.file.latency", Duration.ofMillis(3));
                context.metrics().gauge("notify.file.open", () -> 7);

                assertThat(context.recordedMetrics().counter("notify.file.written", "channel", "file")).isEqualTo(3);
                assertThat(context.recordedMetrics().counter("notify.file.written")).isZero();
                assertThat(context.recordedMetrics().timings("notify.file.latency")).containsExactly(Duration.ofMillis(3));
                assertThat(context.recordedMetrics().gauge("notify.file.open")).isEqualTo(7);
            }
        }
    }

    @Nested
    @DisplayName("RecordingChannel")
    class RecordingChannelTest {

        private Delivery delivery(int attempt) {
            Notification n = Notification.builder().recipient("u1").build();
            return new Delivery("k", n, "recording", "u1", attempt, List.of());
        }

        @Test
        @DisplayName("records deliveries and answers with its script, then with the default")
        void answersWithItsScript() {
            RecordingChannel channel = new RecordingChannel("recording")
                    .thenAnswer(DeliveryResult.failed("no"))
                    .failNext(1, "busy");

            assertThat(channel.deliver(delivery(1)).outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
            assertThat(channel.deliver(delivery(2)).outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(channel.deliver(delivery(3)).isSent()).isTrue();
            channel.alwaysAnswer(DeliveryResult.retryLater("down"));
            assertThat(channel.deliver(delivery(4)).outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);

            assertThat(channel.deliveries()).extracting(Delivery::attempt).containsExactly(1, 2, 3, 4);
            channel.reset();
            assertThat(channel.deliveries()).isEmpty();
            assertThat(channel.deliver(delivery(1)).isSent()).isTrue();
        }

        @Test
        @DisplayName("is remembered by the provider that created it")
        void providerRemembersItsChannels() {
            RecordingChannelProvider provider = new RecordingChannelProvider();
            try (TestChannelContext context = TestChannelContext.builder("recording").build()) {
                provider.create(context).close();
            }
            assertThat(provider.created()).singleElement().satisfies(c -> assertThat(c.isClosed()).isTrue());
        }
    }
}
