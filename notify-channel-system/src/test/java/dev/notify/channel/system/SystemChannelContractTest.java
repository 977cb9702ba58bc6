package dev.notify.channel.system;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.testkit.ChannelContract;
import dev.notify.testkit.TestChannelContext;

import java.util.Map;

class SystemChannelContractTest extends ChannelContract {

    @Override
    protected ChannelProvider provider() {
        return SystemChannelProvider.withRunner(new FakeRunner()); // the contract must not pop up real notifications
    }

    @Override
    protected ChannelContext context() {
        return TestChannelContext.builder("system").config(Map.of("users", "u1")).build();
    }
}
