package dev.notify.channel.webhook.internal;

import dev.notify.api.spi.ChannelContext;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Pulls an endpoint's deferred deliveries forward when it has free places while they wait in the
 * store for later reserved times ({@link EndpointSlots#toPull} says when and how many;
 * {@link ChannelContext#deferredDueNow(String, int)} makes them due, one store write): after each
 * attempt that ends there, and every 100 ms for endpoints with nothing in flight, where no attempt
 * ends to ask (measured with three nodes and a due backlog: two nodes idled, nothing in flight or
 * waiting, while the backlog waited in the store for its reservations). Calls the context and the
 * endpoints' slots it is given.
 */
final class BacklogPuller implements AutoCloseable {

    // the shortest time between two pulls of one endpoint's deferred deliveries (a store write each)
    private static final long PULL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long IDLE_CHECK_MILLIS = 100;

    private final ChannelContext context;
    private final long maxWaitNanos;
    private final Map<String, EndpointSlots> endpoints;
    private final ScheduledFuture<?> idleCheck;
    private volatile boolean closed;

    BacklogPuller(ChannelContext context, Duration busyWait, Map<String, EndpointSlots> endpoints) {
        this.context = context;
        this.maxWaitNanos = busyWait.toNanos();
        this.endpoints = endpoints;
        ScheduledFuture<?> check = null;
        try {
            check = context.scheduler().scheduleWithFixedDelay(this::checkIdle, IDLE_CHECK_MILLIS, IDLE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the host is shutting down: deferred deliveries come back at their own times
        }
        this.idleCheck = check;
    }

    /** An attempt to {@code endpointId} ended at {@code nowNanos} and gave its place back. */
    void afterAttempt(String endpointId, EndpointSlots slots, long nowNanos) {
        int n = slots.toPull(nowNanos, maxWaitNanos, PULL_INTERVAL_NANOS);
        if (n > 0) {
            context.metrics().count("notify.webhook.pulled", n);
            context.deferredDueNow(endpointId, n);
        }
    }

    /** Endpoints with nothing in flight. */
    void checkIdle() {
        if (closed) {
            return;
        }
        try {
            long now = System.nanoTime();
            endpoints.forEach((id, slots) -> afterAttempt(id, slots, now));
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again; the next attempt's end still pulls
            context.logger().log(System.Logger.Level.WARNING, "could not look for idle webhook endpoints to pull deliveries for", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
    }
}
