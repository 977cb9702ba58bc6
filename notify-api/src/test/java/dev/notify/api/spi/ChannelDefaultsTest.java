package dev.notify.api.spi;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a channel that overrides nothing but its name, kind and delivery gets from the SPI's defaults. */
class ChannelDefaultsTest {

    /** A channel of that kind for every user but those whose id starts with "bot-". */
    private static Channel channel(ChannelKind kind) {
        return new Channel() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public ChannelKind kind() {
                return kind;
            }

            @Override
            public boolean supports(String userId) {
                return !userId.startsWith("bot-");
            }

            @Override
            public DeliveryResult deliver(Delivery delivery) {
                return DeliveryResult.sent();
            }
        };
    }

    @Test
    void aPushChannelTargetsTheRecipientsItSupportsInTheirOrder() {
        Channel c = channel(ChannelKind.PUSH);
        assertThat(c.targets(Notification.builder().recipient("u1").build())).containsExactly("u1");
        assertThat(c.targets(Notification.builder().recipient("bot-1").build())).isEmpty();
        assertThat(c.targets(Notification.builder().recipients(List.of("u2", "bot-1", "u1", "u3")).build()))
                .containsExactly("u2", "u1", "u3");
        assertThat(c.targets(Notification.builder().topic("news").build())).as("a topic alone has no push target").isEmpty();
    }

    @Test
    void aStreamChannelHasTheOneStreamTarget() {
        assertThat(channel(ChannelKind.STREAM).targets(Notification.builder().recipient("bot-1").build()))
                .containsExactly(Delivery.STREAM_TARGET);
    }
}
