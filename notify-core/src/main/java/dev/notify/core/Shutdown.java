package dev.notify.core;

import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.NotificationStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The order in which an engine stops: intake first, then the timers, the live fan-out and the
 * queue drain within the deadline, hand-back of what is left, a goodbye to live subscribers, and
 * last the channels, the timer threads, the codec and (when the engine made it) the store. Owns
 * only that order and the report; calls each part's own stop step.
 */
final class Shutdown {

    private static final System.Logger LOG = System.getLogger(Shutdown.class.getName());

    private final Publisher publisher;
    private final DeliveryTracker tracker;
    private final StreamTailer tailer;
    private final Pruner pruner;
    private final ChannelRegistry registry;
    private final LocalSubscriberHub hub;
    private final ScheduledExecutorService scheduler;
    private final JsonbCodec json;
    private final NotificationStore store;
    private final boolean ownsStore;
    private boolean started;

    Shutdown(Publisher publisher, DeliveryTracker tracker, StreamTailer tailer, Pruner pruner, ChannelRegistry registry,
             LocalSubscriberHub hub, ScheduledExecutorService scheduler, JsonbCodec json, NotificationStore store, boolean ownsStore) {
        this.publisher = publisher;
        this.tracker = tracker;
        this.tailer = tailer;
        this.pruner = pruner;
        this.registry = registry;
        this.hub = hub;
        this.scheduler = scheduler;
        this.json = json;
        this.store = store;
        this.ownsStore = ownsStore;
    }

    /** The engine's timer threads; made here because how they stop is set when they are made. */
    static ScheduledExecutorService newTimers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "notify-timer");
            t.setDaemon(true);
            return t;
        });
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timers.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** See {@link NotificationService#close(Duration)}. Idempotent: later calls report nothing. */
    ShutdownReport close(Duration timeout) {
        long start = System.nanoTime();
        synchronized (this) {
            if (started) {
                return new ShutdownReport(0, List.of(), Duration.ZERO);
            }
            started = true;
        }
        publisher.close();
        long before = completed();
        tracker.beginClose();
        pruner.stop();
        long deadline = start + timeout.toNanos();
        // Push deliveries scheduled for later stay in the store; held live pushes are reported.
        List<String> unfinished = new ArrayList<>();
        tailer.stop(deadline, unfinished);
        while (System.nanoTime() < deadline && tracker.busy()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        tracker.stop(unfinished);
        hub.signalAll(new HubSignal.ShuttingDown("server shutting down"));
        release();
        ShutdownReport report = new ShutdownReport(completed() - before, unfinished, Duration.ofNanos(System.nanoTime() - start));
        if (!report.clean()) {
            LOG.log(System.Logger.Level.WARNING, "shut down with " + unfinished.size() + " unfinished deliveries; stored ones are delivered after restart");
        }
        return report;
    }

    /** Stops without draining: for a service whose start failed, and the last step of {@link #close}. */
    void release() {
        synchronized (this) {
            started = true;
        }
        publisher.close();
        tracker.abort();
        pruner.stop();
        registry.closeAll();
        // shutdown(), not shutdownNow(): a tick may be claiming from the store, and interrupting
        // store I/O can break the database; pending timers are dropped by the executor's policies
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a timer task is still running after 5 s; leaving it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        json.close();
        if (ownsStore) {
            store.close();
        }
    }

    private long completed() {
        return tracker.completed() + tailer.completed();
    }
}
