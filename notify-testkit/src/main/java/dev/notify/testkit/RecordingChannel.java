package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ChannelKind#PUSH PUSH} channel that records every delivery and answers with scripted
 * results, for testing what sits around channels (the engine, the tracker, retries, dead letters).
 * Thread-safe.
 *
 * <pre>{@code
 * RecordingChannel channel = new RecordingChannel("recording");
 * channel.thenAnswer(DeliveryResult.retryLater("busy"), DeliveryResult.sent()); // first retry, then sent
 * // ... publish through the engine ...
 * assertThat(channel.deliveries()).hasSize(2);
 * }</pre>
 *
 * <p>Without a script it answers {@link DeliveryResult#sent()}; {@link #alwaysAnswer} changes that
 * default, and queued answers from {@link #thenAnswer} are used first, one per delivery.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class RecordingChannel implements Channel {

    private final String name;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final Deque<DeliveryResult> script = new ArrayDeque<>();
    private DeliveryResult fallback = DeliveryResult.sent();
    private final AtomicInteger closeCalls = new AtomicInteger();

    /** A channel named {@code name}. */
    public RecordingChannel(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    @Override
    public synchronized DeliveryResult deliver(Delivery delivery) {
        deliveries.add(delivery);
        DeliveryResult next = script.poll();
        return next != null ? next : fallback;
    }

    /** Queues answers for the next deliveries, in order. */
    public synchronized RecordingChannel thenAnswer(DeliveryResult... results) {
        for (DeliveryResult r : results) {
            script.add(Objects.requireNonNull(r, "result"));
        }
        return this;
    }

    /** Answers every delivery not covered by {@link #thenAnswer} with {@code result}. */
    public synchronized RecordingChannel alwaysAnswer(DeliveryResult result) {
        this.fallback = Objects.requireNonNull(result, "result");
        return this;
    }

    /** Answers the next {@code times} deliveries with a retry, then falls back to the default answer. */
    public synchronized RecordingChannel failNext(int times, String reason) {
        for (int i = 0; i < times; i++) {
            script.add(DeliveryResult.retryLater(reason));
        }
        return this;
    }

    /** Every delivery made so far, in order. */
    public synchronized List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Forgets the recorded deliveries and the script; the default answer becomes sent again. */
    public synchronized void reset() {
        deliveries.clear();
        script.clear();
        fallback = DeliveryResult.sent();
    }

    /** How often {@link #close()} was called. */
    public int closeCalls() {
        return closeCalls.get();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closeCalls.get() > 0;
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
    }
}
