package dev.notify.testkit;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

/** The contract run against an {@link dev.notify.api.spi.AsyncChannel}: proves its asynchronous checks run and pass. */
class AsyncChannelContractTest extends ChannelContract {

    @Override
    protected ChannelProvider provider() {
        return new EchoAsyncChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder(EchoAsyncChannelProvider.NAME).build();
    }

    @Override
    protected boolean isAsyncChannel() {
        return true;
    }
}
