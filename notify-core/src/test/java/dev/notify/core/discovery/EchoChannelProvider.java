package dev.notify.core.discovery;

import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.Delivery;

/** A well-behaved plugin, listed in this module's test META-INF/services. */
public final class EchoChannelProvider implements ChannelProvider {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public Channel create(ChannelContext context) {
        String prefix = context.config().get("prefix", "");
        return new Channel() {
            @Override
            public String name() {
                return "echo";
            }

            @Override
            public ChannelKind kind() {
                return ChannelKind.PUSH;
            }

            @Override
            public DeliveryResult deliver(Delivery delivery) {
                return DeliveryResult.sent().withResponse(prefix + delivery.notification().title());
            }
        };
    }
}
