package dev.notify.stream;

import dev.notify.api.EventLogEntry;
import dev.notify.testkit.MutableClock;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The skeleton's own duty besides the fan-out: ending connections whose credential expired. */
class StreamChannelTest {

    private final MutableClock clock = new MutableClock();
    private final TestChannelContext context = TestChannelContext.builder("demo").clock(clock).build();
    private final DemoChannel channel = new DemoChannel(context);

    @AfterEach
    void close() {
        channel.close();
        context.close();
    }

    static final class DemoChannel extends StreamChannel<Expiring, String> {
        DemoChannel(TestChannelContext context) {
            super(context, "demo", LiveFanOut.Batching.AFTER_FAN_OUT);
        }

        @Override
        protected String encode(EventLogEntry entry) {
            return entry.notification().title();
        }

        @Override
        protected void shutdown() {
        }
    }

    static final class Expiring extends StreamConnection {
        final CountDownLatch told = new CountDownLatch(1);
        final AtomicInteger times = new AtomicInteger();

        Expiring(String id) {
            super(id, "u1");
        }

        @Override
        protected void credentialExpired() {
            times.incrementAndGet();
            told.countDown();
        }

        @Override
        public void writeQueued() {
        }
    }

    @Test
    void aConnectionIsToldWithinASecondOnceItsCredentialHasExpiredAndNotBefore() throws Exception {
        Expiring soon = new Expiring("soon");
        Expiring later = new Expiring("later");
        Expiring never = new Expiring("never");
        soon.endWhenCredentialExpires(clock.instant().plusSeconds(60));
        later.endWhenCredentialExpires(clock.instant().plusSeconds(3600));
        channel.fanOut().add(soon);
        channel.fanOut().add(later);
        channel.fanOut().add(never);

        // the sweep runs every second: two sweeps pass with nothing expired
        assertThat(soon.told.await(2_500, TimeUnit.MILLISECONDS)).as("told before its expiry").isFalse();

        clock.advance(Duration.ofSeconds(60));
        assertThat(soon.told.await(5, TimeUnit.SECONDS)).as("told after its expiry").isTrue();
        assertThat(later.times).hasValue(0);
        assertThat(never.times).hasValue(0);
    }
}
