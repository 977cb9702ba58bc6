package dev.notify.channel.system;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

class SystemChannelContractTest extends ChannelContract {

    private final List<TestChannelContext> contexts = new ArrayList<>();

    @Override
    protected ChannelProvider provider() {
        return SystemChannelProvider.withRunner(new FakeRunner()); // the contract must not pop up real notifications
    }

    @Override
    protected ChannelContext context() {
        TestChannelContext c = TestChannelContext.builder("system").config(Map.of("users", "u1")).build();
        contexts.add(c);
        return c;
    }

    @AfterEach
    void closeContexts() {
        contexts.forEach(TestChannelContext::close);
    }
}
