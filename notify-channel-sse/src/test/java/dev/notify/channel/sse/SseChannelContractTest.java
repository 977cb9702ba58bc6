package dev.notify.channel.sse;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

class SseChannelContractTest extends ChannelContract {

    private final List<TestChannelContext> contexts = new ArrayList<>();

    @Override
    protected ChannelProvider provider() {
        return new SseChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        TestChannelContext c = TestChannelContext.builder("sse").inMemoryDoubles().build();
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
