package dev.notify.channel.ws.internal;

import dev.notify.testkit.TestChannelContext;

/** Contexts over the fakes, for tests outside this package. */
public final class TestContexts {

    private TestContexts() {
    }

    /** A test context with a fake hub, event log, inbox and JSON codec. */
    public static TestChannelContext withFakes(String channel) {
        return TestChannelContext.builder(channel).json(new Fakes.TinyJson()).hub(new Fakes.FakeHub(5))
                .eventLog(new Fakes.FakeEventLog()).inbox(new Fakes.FakeInbox()).build();
    }
}
