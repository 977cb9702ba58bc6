package dev.notify.channel.webhook;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.channel.webhook.internal.Receiver;
import dev.notify.channel.webhook.internal.TestSupport;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

class WebhookChannelContractTest extends dev.notify.testkit.ChannelContract {

    private final List<TestChannelContext> contexts = new ArrayList<>();
    private final TestSupport.MemoryEndpoints store = new TestSupport.MemoryEndpoints();
    private Receiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = Receiver.start(Receiver.Answer.of(204));
        store.create(TestSupport.endpoint("wh_contract", receiver.url("/hook"), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Instant.now()));
    }

    @AfterEach
    void stop() {
        contexts.forEach(TestChannelContext::close);
        receiver.close();
    }

    @Override
    protected ChannelProvider provider() {
        return new WebhookChannelProvider();
    }

    @Override
    protected ChannelContext context() {
        TestChannelContext c = TestSupport.context(Map.of("allow-private-networks", "true"), store, Clock.systemUTC());
        contexts.add(c);
        return c;
    }

    @Override
    protected boolean isAsyncChannel() {
        return true;
    }

    @Override
    protected String pushTarget(Channel channel) {
        return "wh_contract";
    }
}
