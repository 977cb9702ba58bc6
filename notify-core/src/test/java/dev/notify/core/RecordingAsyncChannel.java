package dev.notify.core;

import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@link AsyncChannel} whose attempts the test completes: each {@code deliverAsync} hands out
 * a new future, listed in {@link #started} with its delivery, unless {@link #behaviour} answers.
 */
class RecordingAsyncChannel implements AsyncChannel {

    /** One attempt started: its delivery, the future the test completes, and the thread that started it. */
    record Started(Delivery delivery, CompletableFuture<DeliveryResult> result, String thread) {
    }

    final String name;
    final BlockingQueue<Started> started = new LinkedBlockingQueue<>();
    // what deliverAsync returns for the attempt's future: the future itself unless a test hides it
    volatile Function<CompletableFuture<DeliveryResult>, CompletionStage<DeliveryResult>> stage = f -> f;

    RecordingAsyncChannel(String name) {
        this.name = name;
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
    public CompletionStage<DeliveryResult> deliverAsync(Delivery delivery) {
        CompletableFuture<DeliveryResult> f = new CompletableFuture<>();
        started.add(new Started(delivery, f, Thread.currentThread().getName()));
        return stage.apply(f);
    }

    /** The next attempt started; fails the test rather than hanging. */
    Started next() throws InterruptedException {
        Started s = started.poll(20, TimeUnit.SECONDS);
        assertThat(s).as("an attempt started through " + name).isNotNull();
        return s;
    }
}
