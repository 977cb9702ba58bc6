package dev.notify.testkit;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/** The recording channel passes the contract it helps others pass; also proves the contract runs. */
class RecordingChannelContractTest extends ChannelContract {

    private final List<TestChannelContext> contexts = new ArrayList<>();

    @Override
    protected ChannelProvider provider() {
        return new RecordingChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        TestChannelContext context = TestChannelContext.builder(RecordingChannelProvider.NAME).build();
        contexts.add(context);
        return context;
    }

    @AfterEach
    void closeContexts() {
        contexts.forEach(TestChannelContext::close);
    }
}
