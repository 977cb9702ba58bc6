package dev.notify.testkit;

import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.Delivery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** An {@link AsyncChannel} that answers "sent" a millisecond later from another thread, as an HTTP client would. */
public final class EchoAsyncChannelProvider implements ChannelProvider {

    static final String NAME = "echo-async";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new AsyncChannel() {
            private final Executor later = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS);

            @Override
            public String name() {
                return NAME;
            }

            @Override
            public ChannelKind kind() {
                return ChannelKind.PUSH;
            }

            @Override
            public CompletionStage<DeliveryResult> deliverAsync(Delivery delivery) {
                return CompletableFuture.supplyAsync(DeliveryResult::sent, later);
            }
        };
    }
}
