package dev.notify.core;

import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.Retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the store's retention (events, idempotency keys, finished deliveries, old notifications) once
 * per prune interval of the engine's clock, so a test's fake clock drives it too. Calls only the store.
 */
final class Pruner {

    private static final System.Logger LOG = System.getLogger(Pruner.class.getName());

    private final NotificationStore store;
    private final Clock clock;
    private final Retention retention;
    private final Duration interval;
    private volatile Instant last = Instant.EPOCH;
    private volatile ScheduledFuture<?> task;

    Pruner(NotificationStore store, Clock clock, Retention retention, Duration interval) {
        this.store = store;
        this.clock = clock;
        this.retention = retention;
        this.interval = interval;
    }

    /** Looks every {@code period} whether a prune is due. */
    void start(ScheduledExecutorService scheduler, Duration period) {
        long ms = Math.max(1, period.toMillis());
        task = scheduler.scheduleWithFixedDelay(this::pruneIfDue, 0, ms, TimeUnit.MILLISECONDS);
    }

    void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Prunes when an interval has passed since the last run; called often (every poll interval). */
    void pruneIfDue() {
        try {
            Instant now = clock.instant();
            if (Duration.between(last, now).compareTo(interval) >= 0) {
                last = now;
                store.prune(now, retention);
            }
        } catch (Throwable e) {
            // a periodic task that throws is never run again: retention would stop for good
            LOG.log(System.Logger.Level.WARNING, "could not prune the store; will try again", e);
        }
    }
}
