package dev.notify.channel.poll;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;

/** The test kit's channel contract, over its in-memory hub, event log and inbox. */
class PollChannelContractTest extends ChannelContract {

    @Override
    protected ChannelProvider provider() {
        return new PollChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder("poll").inMemoryDoubles().build();
    }

    @Override
    protected boolean isStreamChannel() {
        return true;
    }
}
