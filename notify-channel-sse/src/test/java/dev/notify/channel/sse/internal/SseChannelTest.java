package dev.notify.channel.sse.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.WebRegistry;
import dev.notify.channel.sse.SseChannelProvider;
import dev.notify.testkit.InMemorySubscriberHub;
import dev.notify.testkit.SimpleJsonCodec;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SseChannelTest {

    @Test
    void registersTheStreamAndItsAliasAsServletsWhenTheHostServesHttp() {
        List<String> paths = new ArrayList<>();
        List<Object> handlers = new ArrayList<>();
        WebRegistry web = new WebRegistry() {
            @Override
            public Set<String> supportedTypes() {
                return Set.of("jakarta.servlet.Servlet");
            }

            @Override
            public <T> void register(String pathSpec, Class<T> type, T handler) {
                assertThat(type).isEqualTo(jakarta.servlet.Servlet.class);
                assertThat(handler).isInstanceOf(jakarta.servlet.Servlet.class);
                paths.add(pathSpec);
                handlers.add(handler);
            }
        };
        try (TestChannelContext context = TestChannelContext.builder("sse").json(new SimpleJsonCodec()).hub(new InMemorySubscriberHub(1)).web(web).build();
             SseChannel channel = (SseChannel) new SseChannelProvider().create(context)) {
            assertThat(paths).containsExactly("/api/v1/notifications/stream", "/api/v1/notifications/subscribe");
            assertThat(channel.name()).isEqualTo("sse");
        }
    }

    @Test
    void fansEveryEntryOfADeliveryOutThroughTheHubAsChannelSse() {
        InMemorySubscriberHub hub = new InMemorySubscriberHub();
        List<String> seen = new ArrayList<>();
        hub.subscribe(new dev.notify.api.spi.SubscriptionRequest("sse", "c1", "u1", Set.of("t")), new dev.notify.api.spi.Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
                seen.add(entry.audience().toString());
            }

            @Override
            public void onSignal(dev.notify.api.spi.HubSignal signal) {
            }
        });
        hub.subscribe(new dev.notify.api.spi.SubscriptionRequest("ws", "c2", "u1", Set.of("t")), new dev.notify.api.spi.Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
                seen.add("ws got it");
            }

            @Override
            public void onSignal(dev.notify.api.spi.HubSignal signal) {
            }
        });
        try (TestChannelContext context = TestChannelContext.builder("sse").json(new SimpleJsonCodec()).hub(hub).build();
             SseChannel channel = new SseChannel(context, SseSettings.defaults(), List.of())) {
            Notification n = Notification.builder().recipient("u1").topic("t").build();
            List<EventLogEntry> events = List.of(new EventLogEntry(1, Audience.user("u1"), n), new EventLogEntry(2, Audience.topic("t"), n));
            assertThat(channel.deliver(new Delivery("k", n, "sse", Delivery.STREAM_TARGET, 1, events)).isSent()).isTrue();
            assertThat(seen).containsExactly("User[userId=u1]", "Topic[topic=t]");
            assertThat(context.recordedMetrics().counter("notify.stream.fanout", "channel", "sse")).isEqualTo(2);
        }
    }
}
