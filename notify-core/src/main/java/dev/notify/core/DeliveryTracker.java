package dev.notify.core;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.NotificationStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs push deliveries: the worker threads that take jobs from the {@link PriorityDeliveryQueue}
 * and call the channel, one attempt each within the channel's concurrency limit; the claims of due
 * deliveries from the store (retries, scheduled ones, other nodes' lapsed leases) and the wake-ups
 * that bring them forward; the lease bookkeeping (which deliveries this node holds in memory,
 * handing back what it will not run); the timeout watchdog; replays of dead letters. What an
 * attempt's result leads to (retry with backoff, dead letter, deferral) is {@link DeliveryOutcomes}'.
 *
 * <p>A worker survives anything a channel does: whatever {@code deliver} throws, errors such as
 * {@link StackOverflowError} included, is the attempt's failure (retried per policy), not the
 * worker's. Calls the store, the queue, the channels of the {@link ChannelRegistry} and the
 * scheduler it is given; never the publisher or the facade.
 */
final class DeliveryTracker {

    private static final System.Logger LOG = System.getLogger(DeliveryTracker.class.getName());
    private static final int CLAIM_BATCH = 256;

    private final ServiceConfig config;
    private final NotificationStore store;
    private final PriorityDeliveryQueue<DeliveryJob> queue;
    private final ChannelRegistry registry;
    private final Cancellations cancellations;
    private final Metrics metrics;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentLongSet inMemory = new ConcurrentLongSet();
    private final DeliveryOutcomes outcomes;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger workerSeq = new AtomicInteger();
    private volatile ScheduledFuture<?> ticker;
    private volatile ScheduledFuture<?> watchdog;
    // closing: no more timers or replacement workers; closed: idle workers leave
    private volatile boolean closing;
    private volatile boolean closed;

    DeliveryTracker(ServiceConfig config, NotificationStore store, PriorityDeliveryQueue<DeliveryJob> queue, ChannelRegistry registry,
                    DeliveryListeners listeners, Cancellations cancellations, ScheduledExecutorService scheduler, Metrics metrics) {
        this.config = config;
        this.store = store;
        this.queue = queue;
        this.registry = registry;
        this.cancellations = cancellations;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.outcomes = new DeliveryOutcomes(store, config.clock(), config.retryPolicy(), listeners, metrics, inMemory, this::wakeAt);
    }

    /** Starts the workers, the periodic claim of due deliveries and the timeout watchdog. */
    void start() {
        for (int i = 0; i < config.workers(); i++) {
            startWorker();
        }
        long tick = config.pollInterval().toMillis();
        ticker = scheduler.scheduleWithFixedDelay(this::tick, 0, Math.max(1, tick), TimeUnit.MILLISECONDS);
        long watch = Math.max(5, Math.min(1000, config.deliveryTimeout().toMillis() / 4));
        watchdog = scheduler.scheduleWithFixedDelay(this::checkTimeouts, watch, watch, TimeUnit.MILLISECONDS);
    }

    /** Takes a freshly stored delivery that is due now; it is leased to this node already. */
    void accept(Notification n, ChannelSlot slot, String target, long deliveryId, Instant dueAt) {
        inMemory.add(deliveryId);
        enqueue(new DeliveryJob(n, slot, target, deliveryId, 1, dueAt));
    }

    /** Replays a dead letter: due at once with a fresh set of attempts. */
    Optional<DeliveryRecord> replay(long deliveryId) {
        Instant now = config.clock().instant();
        Optional<DeliveryRecord> r = store.replay(deliveryId, now);
        r.ifPresent(d -> wakeAt(now));
        return r;
    }

    int workerCount() {
        return workers.size();
    }

    /** How many attempts had an outcome, for the shutdown report. */
    long completed() {
        return outcomes.completed();
    }

    /** Queues a delivery that is due now; later ones stay in the store until a claim takes them. */
    private void enqueue(DeliveryJob job) {
        job.slot.queued.incrementAndGet();
        if (!queue.offerAccepted(job.notification.priority(), job)) {
            job.slot.queued.decrementAndGet();
            handBack(job);
        }
    }

    private void startWorker() {
        Worker w = new Worker();
        Thread t = new Thread(w, "notify-worker-" + workerSeq.incrementAndGet());
        t.setDaemon(true);
        w.thread = t;
        workers.add(w);
        t.start();
    }

    private final class Worker implements Runnable {
        volatile Thread thread;
        volatile DeliveryJob current;
        volatile long startedNanos;
        volatile boolean retired;

        @Override
        public void run() {
            try {
                while (!retired) {
                    DeliveryJob job;
                    try {
                        job = queue.take();
                    } catch (InterruptedException e) {
                        if (retired || closed) {
                            return;
                        }
                        continue;
                    }
                    if (job == null) {
                        return;
                    }
                    if (job.slot.acquireOrPark(job)) {
                        runInPlace(job);
                    }
                }
            } finally {
                workers.remove(this);
                if (!retired && !closing) {
                    // only a throwable from the queue itself gets here; a node must not lose workers one by one
                    startWorker();
                }
            }
        }

        private void runInPlace(DeliveryJob job) {
            try {
                job.slot.queued.decrementAndGet();
                attempt(job);
            } catch (Throwable e) {
                // past the channel's own guard (the store, a listener): the job may be lost for now, the worker is not
                if (job.finish(DeliveryJob.BY_WORKER)) {
                    handBack(job);
                }
                LOG.log(System.Logger.Level.ERROR, "delivery " + job.key() + " through " + job.slot.channel.name()
                        + " failed outside the channel; the worker carries on", e);
            } finally {
                // a timed-out attempt's place was freed by the watchdog already
                if (!job.timedOut()) {
                    DeliveryJob next = job.slot.releaseAndUnpark();
                    if (next != null && !queue.offerAccepted(next.notification.priority(), next)) {
                        handBack(next);
                    }
                }
            }
        }

        private void attempt(DeliveryJob job) {
            Instant now = config.clock().instant();
            if (job.notification.isExpiredAt(now)) {
                expire(job);
                return;
            }
            if (cancellations.contains(job.notification.id())) {
                inMemory.remove(job.deliveryId);
                return;
            }
            job.startedAt = now;
            startedNanos = System.nanoTime();
            current = job;
            String channel = job.slot.channel.name();
            DeliveryResult result;
            try {
                result = job.slot.channel.deliver(new Delivery(job.key(), job.notification, channel, job.target,
                        job.attempt, List.of()));
                if (result == null) {
                    result = DeliveryResult.retryLater("channel " + channel + " returned no result");
                }
            } catch (Throwable e) {
                // errors too (StackOverflowError, OutOfMemoryError): the channel's failure, retried per policy;
                // rethrown, they killed the worker and left the delivery leased until its retry killed the next
                result = DeliveryResult.retryLater("channel " + channel + " threw " + e);
            } finally {
                current = null;
            }
            if (job.finish(DeliveryJob.BY_WORKER)) {
                outcomes.complete(job, result, Duration.ofNanos(System.nanoTime() - startedNanos));
            }
            if (Thread.interrupted() && !retired) {
                // an interrupt meant for a timed-out attempt must not leak into the next one
                LOG.log(System.Logger.Level.DEBUG, "cleared a stale interrupt");
            }
        }
    }

    private void expire(DeliveryJob job) {
        if (job.deliveryId != 0) {
            inMemory.remove(job.deliveryId);
            store.cancel(job.notification.id());
        }
        metrics.count("notify.deliveries.expired", 1, "channel", job.slot.channel.name());
    }

    /** Fails attempts that outlived the delivery timeout and replaces their workers. */
    void checkTimeouts() {
        long limit = config.deliveryTimeout().toNanos();
        long now = System.nanoTime();
        for (Worker w : workers) {
            DeliveryJob job = w.current;
            if (job != null && now - w.startedNanos > limit && job.finish(DeliveryJob.BY_WATCHDOG)) {
                w.retired = true;
                Thread t = w.thread;
                if (t != null) {
                    t.interrupt();
                }
                if (!closing) {
                    startWorker();
                }
                try {
                    outcomes.complete(job, DeliveryResult.retryLater("attempt timed out after " + config.deliveryTimeout()),
                            Duration.ofNanos(now - w.startedNanos));
                } catch (Throwable e) {
                    // a periodic task that throws is never run again: no later attempt would ever time out
                    LOG.log(System.Logger.Level.ERROR, "could not record the timeout of delivery " + job.key(), e);
                }
                job.slot.releaseAndUnparkLater(this::reofferParked);
            }
        }
    }

    private void reofferParked(DeliveryJob next) {
        if (!queue.offerAccepted(next.notification.priority(), next)) {
            handBack(next);
        }
    }

    /** Brings the next claim forward to {@code at} when the periodic one would come later. */
    private void wakeAt(Instant at) {
        if (closing) {
            return;
        }
        long ms = Math.max(0, Duration.between(config.clock().instant(), at).toMillis());
        if (ms < config.pollInterval().toMillis()) {
            try {
                scheduler.schedule(this::tick, ms, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down: the store keeps the delivery for the next start
            }
        }
    }

    /** Claims due deliveries from the store and queues them. */
    void tick() {
        if (closing) {
            return;
        }
        try {
            claimDue(config.clock().instant());
        } catch (Throwable e) {
            // a periodic task that throws is never run again: no claim would ever happen on this node
            LOG.log(System.Logger.Level.WARNING, "could not claim due deliveries; will try again", e);
        }
    }

    private void claimDue(Instant now) {
        while (!closing) {
            int room = queue.capacity() - queue.size();
            if (room <= 0) {
                return;
            }
            int limit = Math.min(CLAIM_BATCH, room);
            List<DeliveryRecord> claimed = store.claimDue(now, limit, new Lease(config.nodeId(), now.plus(config.lease())));
            for (DeliveryRecord d : claimed) {
                // held in memory already (queued, parked or running): its lease was renewed, it must not run twice
                if (!inMemory.add(d.id())) {
                    continue;
                }
                ChannelSlot s = registry.slot(d.channel());
                Optional<Notification> n = store.find(d.notificationId());
                if (s == null || n.isEmpty()) {
                    inMemory.remove(d.id());
                    if (s == null) {
                        LOG.log(System.Logger.Level.WARNING, "delivery " + d.id() + " is for channel '" + d.channel()
                                + "', which is not registered here; leaving it for a node that has it");
                    }
                    continue;
                }
                enqueue(new DeliveryJob(n.get(), s, d.target(), d.id(), d.attempts() + 1, now));
            }
            if (claimed.size() < limit) {
                return;
            }
        }
    }

    /** Gives a delivery this node will not run back to the store, due again when it was due. */
    private void handBack(DeliveryJob job) {
        if (job.deliveryId != 0) {
            // forgotten before the release: a tick that claims the released row must not skip it as "already held"
            inMemory.remove(job.deliveryId);
            try {
                store.release(job.deliveryId, job.dueAt);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not hand delivery " + job.deliveryId + " back; its lease will lapse", e);
            }
        }
    }

    // ---- shutdown, in the order Shutdown calls it --------------------------------------------------

    /** Stops the periodic claims and wake-ups; workers keep draining the queue. */
    void beginClose() {
        closing = true;
        ScheduledFuture<?> t = ticker;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Whether anything is queued, parked or in flight. */
    boolean busy() {
        if (queue.size() > 0) {
            return true;
        }
        for (Worker w : workers) {
            if (w.current != null) {
                return true;
            }
        }
        for (ChannelSlot s : registry.allSlots()) {
            if (s.hasParked()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes the queue, lets the workers go and hands everything not run back to the store.
     *
     * @param unfinished receives a line per delivery in flight or handed back
     */
    void stop(List<String> unfinished) {
        queue.close();
        closed = true;
        for (Worker w : workers) {
            DeliveryJob j = w.current;
            if (j != null) {
                unfinished.add(j.describe() + " (in flight)");
            }
            // No interrupt: a worker may be inside the store, and an interrupt during I/O can close
            // a database file (H2) or a connection. Idle workers leave when the closed queue wakes
            // them; one stuck in a channel is a daemon thread and is reported above.
            w.retired = true;
        }
        for (DeliveryJob j : queue.drain()) {
            unfinished.add(j.describe() + " (queued)");
            handBack(j);
        }
        for (ChannelSlot s : registry.allSlots()) {
            for (DeliveryJob j : s.drainParked()) {
                unfinished.add(j.describe() + " (queued)");
                handBack(j);
            }
        }
    }

    /** Stops the timers and the queue without draining (the last step of a shutdown, or a failed start). */
    void abort() {
        closing = true;
        closed = true;
        queue.close();
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {watchdog, ticker}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
