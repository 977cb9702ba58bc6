package dev.notify.core.discovery;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

/** A plugin whose constructor fails, as a jar with a missing dependency would. */
public final class BrokenChannelProvider implements ChannelProvider {

    public BrokenChannelProvider() {
        throw new IllegalStateException("missing native library");
    }

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public Channel create(ChannelContext context) {
        throw new UnsupportedOperationException();
    }
}
