package dev.notify.testkit;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

/** The recording channel passes the contract it helps others pass; also proves the contract runs. */
class RecordingChannelContractTest extends ChannelContract {

    @Override
    protected ChannelProvider provider() {
        return new RecordingChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder(RecordingChannelProvider.NAME).build();
    }
}
