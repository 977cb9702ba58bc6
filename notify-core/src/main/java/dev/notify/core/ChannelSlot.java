package dev.notify.core;

import dev.notify.api.spi.Channel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A registered channel with its concurrency limit, so one slow channel cannot hold every worker,
 * and its meters. Owns the channel's places in flight and the jobs parked until one frees up;
 * calls nothing but the channel's name and the meter registry it is given.
 */
final class ChannelSlot {

    final Channel channel;
    final int limit;
    final AtomicInteger queued = new AtomicInteger();
    // meters looked up once: a registry lookup per delivery shows in profiles
    final Counter sent;
    final Counter failed;
    final Counter retrying;
    final Timer latency;
    private int inFlight;
    private final ArrayDeque<DeliveryJob> parked = new ArrayDeque<>();

    ChannelSlot(Channel channel, int limit, MeterRegistry registry) {
        this.channel = channel;
        this.limit = Math.max(1, limit);
        this.sent = registry.counter("notify.deliveries.sent", "channel", channel.name());
        this.failed = registry.counter("notify.deliveries.failed", "channel", channel.name());
        this.retrying = registry.counter("notify.deliveries.retrying", "channel", channel.name());
        this.latency = Timer.builder("notify.delivery.latency").tag("channel", channel.name())
                .description("from accepted (or due) to sent")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }

    /**
     * Takes a place for the job, or parks it until a place frees up. One atomic step: were the
     * check and the parking separate, the last job in flight could finish in between and leave
     * the parked job with nobody to wake it.
     */
    synchronized boolean acquireOrPark(DeliveryJob job) {
        if (inFlight >= limit) {
            parked.addLast(job);
            return false;
        }
        inFlight++;
        return true;
    }

    /** Frees a place; returns a parked job to run next, if any. */
    synchronized DeliveryJob releaseAndUnpark() {
        if (inFlight > 0) {
            inFlight--;
        }
        return parked.pollFirst();
    }

    /** Frees the place of a timed-out attempt whose worker may never return. */
    void releaseAndUnparkLater(Consumer<DeliveryJob> requeue) {
        DeliveryJob next = releaseAndUnpark();
        if (next != null) {
            requeue.accept(next);
        }
    }

    synchronized boolean hasParked() {
        return !parked.isEmpty();
    }

    synchronized List<DeliveryJob> drainParked() {
        List<DeliveryJob> out = new ArrayList<>(parked);
        parked.clear();
        return out;
    }
}
