package dev.notify.channel.ws;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;

/** The test kit's channel contract, over its in-memory hub, event log and inbox. */
class WsChannelContractTest extends ChannelContract {

    @Override
    protected ChannelProvider provider() {
        return new WsChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder("ws").inMemoryDoubles().build();
    }

    @Override
    protected boolean isStreamChannel() {
        return true;
    }
}
