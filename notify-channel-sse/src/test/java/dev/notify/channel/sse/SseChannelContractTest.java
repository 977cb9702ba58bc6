package dev.notify.channel.sse;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;

/** The test kit's channel contract, over its in-memory hub, event log and inbox. */
class SseChannelContractTest extends ChannelContract {

    @Override
    protected ChannelProvider provider() {
        return new SseChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder("sse").inMemoryDoubles().build();
    }

    @Override
    protected boolean isStreamChannel() {
        return true;
    }
}
