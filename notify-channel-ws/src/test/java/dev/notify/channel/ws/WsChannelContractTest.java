package dev.notify.channel.ws;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

class WsChannelContractTest extends ChannelContract {

    private final List<TestChannelContext> contexts = new ArrayList<>();

    @Override
    protected ChannelProvider provider() {
        return new WsChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        TestChannelContext c = TestChannelContext.builder("ws").inMemoryDoubles().build();
        contexts.add(c);
        return c;
    }

    @Override
    protected boolean isStreamChannel() {
        return true;
    }

    @AfterEach
    void closeContexts() {
        contexts.forEach(TestChannelContext::close);
    }
}
