package dev.notify.channel.poll.internal;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.api.spi.WebRegistry;
import dev.notify.channel.poll.PollChannelProvider;
import dev.notify.testkit.InMemorySubscriberHub;
import dev.notify.testkit.SimpleJsonCodec;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PollChannelTest {

    @Test
    void registersThePollServletWhenTheHostServesHttp() {
        List<String> paths = new ArrayList<>();
        WebRegistry web = new WebRegistry() {
            @Override
            public Set<String> supportedTypes() {
                return Set.of("jakarta.servlet.Servlet");
            }

            @Override
            public <T> void register(String pathSpec, Class<T> type, T handler) {
                assertThat(handler).isInstanceOf(jakarta.servlet.http.HttpServlet.class);
                paths.add(pathSpec);
            }
        };
        try (TestChannelContext context = TestChannelContext.builder("poll").json(new SimpleJsonCodec()).hub(new InMemorySubscriberHub(1)).web(web).build();
             PollChannel channel = (PollChannel) new PollChannelProvider().create(context)) {
            assertThat(paths).containsExactly("/api/v1/notifications/poll");
            assertThat(channel.name()).isEqualTo("poll");
        }
    }

    @Test
    void wakesWaitingPollsByFanningOutAsChannelPoll() {
        InMemorySubscriberHub hub = new InMemorySubscriberHub(1);
        List<Long> woken = new ArrayList<>();
        hub.subscribe(new SubscriptionRequest("poll", "p1", "u1", Set.of()), new Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
                woken.add(entry.sequence());
            }

            @Override
            public void onSignal(HubSignal signal) {
            }
        });
        try (TestChannelContext context = TestChannelContext.builder("poll").json(new SimpleJsonCodec()).hub(hub).build();
             PollChannel channel = new PollChannel(context, PollSettings.defaults(), "/api/v1/notifications/poll")) {
            Notification n = Notification.builder().recipient("u1").build();
            assertThat(channel.deliver(new Delivery("k", n, "poll", Delivery.STREAM_TARGET, 1,
                    List.of(new EventLogEntry(3, Audience.user("u1"), n)))).isSent()).isTrue();
            assertThat(woken).containsExactly(3L);
        }
    }
}
