package dev.notify.core.discovery;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

/** A second plugin claiming the name "echo": refused, the first one wins. */
public final class SecondEchoChannelProvider implements ChannelProvider {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public Channel create(ChannelContext context) {
        throw new UnsupportedOperationException("never created: the name is taken");
    }
}
