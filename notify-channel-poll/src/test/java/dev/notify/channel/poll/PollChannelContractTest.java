package dev.notify.channel.poll;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

class PollChannelContractTest extends ChannelContract {

    private final List<TestChannelContext> contexts = new ArrayList<>();

    @Override
    protected ChannelProvider provider() {
        return new PollChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        TestChannelContext c = TestChannelContext.builder("poll").inMemoryDoubles().build();
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
