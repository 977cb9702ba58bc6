package dev.notify.core.discovery;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

/** A plugin built against a newer SPI than this host's. */
public final class FutureChannelProvider implements ChannelProvider {

    @Override
    public String name() {
        return "future";
    }

    @Override
    public int apiVersion() {
        return 99;
    }

    @Override
    public Channel create(ChannelContext context) {
        throw new UnsupportedOperationException("never created: the SPI is too old");
    }
}
