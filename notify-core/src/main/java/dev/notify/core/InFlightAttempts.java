package dev.notify.core;

import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.Delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The attempts in flight on this node: starts each one without holding the worker that claimed
 * it, ends it when the channel's result or its deadline arrives, whichever is first, and has the
 * outcome recorded. Owns the node's limit of attempts in flight ({@code delivery.max-in-flight}),
 * the deadlines, and the recording threads. Calls the channels (through their {@link ChannelSlot}),
 * {@link DeliveryOutcomes} and the {@code handBack}/{@code requeue} functions it is given.
 *
 * <p>An {@link AsyncChannel}'s {@code deliverAsync} is called on the worker, which moves on as soon
 * as it returns. A blocking channel's {@code deliver} runs on the channel's own threads
 * ({@link ChannelSlot#threads()}), so a plugin that blocks forever holds only its own threads;
 * but while the channel is quick (every call under 1 ms, {@link ChannelSlot#inline()}) the worker
 * calls it itself, sparing the thread switch, and is <em>lent</em> to the channel, a replacement
 * worker started, if a call holds it longer than {@link #LEND_AFTER_NANOS}. So a hung plugin
 * delays the other channels' deliveries by 20-40 ms once, not for good.
 *
 * <p>Where the outcome is recorded depends on which thread has it. On a thread of the engine's
 * own (a blocking channel's thread, or the worker when an async stage was complete on return) it is
 * recorded right there, as the engine did before attempts left the workers: a hand-over costs a
 * thread switch per delivery. Otherwise it goes to the engine's {@code notify-recorder} threads,
 * never staying on the thread that completed the channel's stage: for an HTTP client that is an I/O thread shared by many
 * connections, and a store write there (a JDBC round trip, a lock) would stall all of them; for a
 * timeout it is the timer thread, which every claim and deadline waits on. There are as many
 * recorders as workers, as many store writes at once as before; their queue needs no bound of its
 * own, because each attempt is recorded once and keeps its permit until it is, so the queue never
 * holds more than {@code delivery.max-in-flight} tasks.
 *
 * <p>The attempts a worker runs inline sit on that worker's {@link Seat} rather than in the
 * in-flight set: a volatile write to start and a compare-and-set to end, where the set cost each
 * delivery an insert and a removal (13% of the workers' samples in a profile of the push core);
 * the watchdog, {@link #size} and {@link #describe} read the seats as well as the set.
 */
final class InFlightAttempts {

    private static final System.Logger LOG = System.getLogger(InFlightAttempts.class.getName());

    private final ServiceConfig config;
    private final DeliveryOutcomes outcomes;
    private final Consumer<DeliveryJob> handBack;
    private final Consumer<DeliveryJob> requeue;
    private final Runnable replaceWorker;
    private final LongSupplier nanos;
    private final Set<Attempt> inFlight = ConcurrentHashMap.newKeySet();
    // one per worker: the attempt it runs inline, if any
    private final List<Seat> seats = new CopyOnWriteArrayList<>();
    private final Semaphore permits;
    private final ThreadPoolExecutor recorders;
    // an attempt is started only with at least this much lease left; less, and it is handed back and claimed afresh
    private final long shortestStartNanos;
    private final long leaseMarginNanos;
    private final long deliveryTimeoutNanos;
    // leases this node's claim renewed while their deliveries waited in memory (rare: a backlog longer than a lease)
    private final ConcurrentHashMap<Long, Instant> renewed = new ConcurrentHashMap<>();
    // whether other nodes claim from the same store; until told otherwise, assume they may
    private volatile boolean shared = true;
    private volatile boolean closed;

    /**
     * @param handBack gives a delivery this node will not attempt back to the store
     * @param requeue queues a parked job whose channel has a free place again
     * @param replaceWorker starts a worker in place of one lent to a channel (see {@link #LEND_AFTER_NANOS})
     * @param nanos the monotonic time deadlines are measured in ({@link System#nanoTime} but in tests)
     */
    InFlightAttempts(ServiceConfig config, DeliveryOutcomes outcomes, Consumer<DeliveryJob> handBack, Consumer<DeliveryJob> requeue,
                     Runnable replaceWorker, LongSupplier nanos) {
        this.config = config;
        this.outcomes = outcomes;
        this.handBack = handBack;
        this.requeue = requeue;
        this.replaceWorker = replaceWorker;
        this.nanos = nanos;
        this.permits = new Semaphore(config.maxInFlight());
        AtomicInteger seq = new AtomicInteger();
        this.recorders = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "notify-recorder-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        recorders.allowCoreThreadTimeOut(true);
        // a tenth of the lease, at most 5 s: time to record the outcome before the lease would lapse
        Duration leaseMargin = min(config.lease().dividedBy(10), Duration.ofSeconds(5));
        Duration cut = config.lease().minus(leaseMargin);
        Duration shortestStart = min(config.deliveryTimeout(), cut.dividedBy(2));
        this.shortestStartNanos = Instants.nanos(shortestStart);
        this.leaseMarginNanos = Instants.nanos(leaseMargin);
        this.deliveryTimeoutNanos = Instants.nanos(config.deliveryTimeout());
        if (config.deliveryTimeout().compareTo(cut) > 0) {
            LOG.log(System.Logger.Level.INFO, "the delivery timeout (" + config.deliveryTimeout() + ") is longer than the lease ("
                    + config.lease() + "): attempts end at " + cut + " after their claim at the latest, so that no lease lapses "
                    + "under an attempt in flight");
        }
    }

    /** Removes and returns the renewed lease end of the delivery, if any; without touching the map while it is empty. */
    private Instant forgetRenewal(long deliveryId) {
        return renewed.isEmpty() ? null : renewed.remove(deliveryId);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Waits until fewer than {@code delivery.max-in-flight} attempts are in flight and takes a
     * permit for the next one; a worker does so before it takes a job, so that at the limit jobs
     * stay queued (and visible to shutdown) rather than held by waiting workers.
     *
     * @return false when closed meanwhile (no permit taken)
     */
    boolean acquire() throws InterruptedException {
        permits.acquire();
        if (closed) {
            permits.release();
            return false;
        }
        return true;
    }

    /** Returns a permit that was not used for an attempt. */
    void release() {
        permits.release();
    }

    /**
     * This node's claim renewed the lease of a delivery it already holds in memory (its lease had
     * lapsed while it waited): the attempt, when it starts, may run until the renewed lease ends.
     */
    void renewed(long deliveryId, Instant leaseUntil) {
        renewed.merge(deliveryId, leaseUntil, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * Where one worker's inline attempt sits while it runs (at most one at a time): the worker
     * takes a seat when it starts ({@link #seat}) and gives it up when it leaves ({@link #unseat}).
     */
    static final class Seat extends AtomicReference<Attempt> {
        private static final long serialVersionUID = 1L;
    }

    /** A seat for a worker that is starting. */
    Seat seat() {
        Seat s = new Seat();
        seats.add(s);
        return s;
    }

    /** The worker that had {@code seat} leaves (an attempt still on it ends as any other, and leaves the seat then). */
    void unseat(Seat seat) {
        seats.remove(seat);
    }

    /** Attempts in flight now. */
    int size() {
        int n = inFlight.size();
        for (Seat s : seats) {
            if (s.get() != null) {
                n++;
            }
        }
        return n;
    }

    /** Attempts that could start now before the node's in-flight limit is reached (never negative). */
    int freePlaces() {
        return Math.max(0, config.maxInFlight() - size());
    }

    /**
     * A worker inside an inline {@code deliver} for this long is lent to the channel: a replacement
     * worker is started, the channel moves to its own threads, and the lent worker leaves the
     * workers once back (20 ms; the check runs at least every {@link #LEND_CHECK_MILLIS} ms).
     */
    static final long LEND_AFTER_NANOS = 20_000_000;
    /** How often, at most, a worker held by an inline {@code deliver} waits to be noticed. */
    static final long LEND_CHECK_MILLIS = 20;

    /**
     * Starts the job's attempt and returns: at once, but for a quick blocking channel, whose
     * {@code deliver} the calling worker runs itself ({@link ChannelSlot#inline()}). The caller
     * holds a permit and the job's place in its channel; both are handed on to the attempt and freed
     * once its outcome is recorded (or, when the job is not attempted at all, here).
     *
     * @param nowInFlight told once the attempt is in flight, before an inline {@code deliver} (the
     *        queue stops holding the job for the worker; the attempt is visible to shutdown now)
     * @param seat the calling worker's own (from {@link #seat}), where an inline attempt sits
     *        instead of the in-flight set
     * @return whether the calling worker was lent to the channel meanwhile: a replacement runs in
     *         its place, and it must leave the workers
     */
    boolean start(DeliveryJob job, Instant now, Runnable nowInFlight, Seat seat) {
        long start = nanos.getAsLong();
        // the attempt must end, and its outcome be stored, before the lease can lapse
        Instant leaseUntil = job.leaseUntil;
        Instant renewal = forgetRenewal(job.deliveryId);
        if (renewal != null && renewal.isAfter(leaseUntil)) {
            leaseUntil = renewal;
        }
        // in nanoseconds, not Durations: this runs once per delivery
        long leftNanos = Instants.nanosBetween(now, leaseUntil) - leaseMarginNanos;
        long allowedNanos = Math.min(deliveryTimeoutNanos, leftNanos);
        if (allowedNanos < shortestStartNanos && !shared) {
            // no other node can take the delivery over, and its writes stay fenced by this node's claim token: handing
            // it back would only queue it again behind the same backlog, so that under a backlog longer than a lease
            // (the soak: webhooks offered faster than delivered) every job was handed back and nothing delivered
            allowedNanos = deliveryTimeoutNanos;
        }
        if (allowedNanos < shortestStartNanos) {
            // waited in memory until its lease is (nearly) spent: rather than an attempt cut short, or one under a lapsed
            // lease that another node may take over, hand it back; a claim takes it again under a fresh lease
            LOG.log(System.Logger.Level.DEBUG, () -> "delivery " + job.key() + " waited until its lease was nearly spent; "
                    + "handed back to be claimed again");
            if (job.finish(DeliveryJob.BY_CHANNEL)) {
                handBack.accept(job);
            }
            freePlaceAndPermit(job);
            return false;
        }
        job.startedAt = now;
        String channel = job.slot.channel.name();
        Delivery delivery = new Delivery(job.key(), job.notification, channel, job.target, job.attempt, List.of());
        if (!job.slot.async && job.slot.inline()) {
            Attempt a = new Attempt(job, start, start + allowedNanos, seat);
            seat.set(a);
            nowInFlight.run();
            callDeliver(a, delivery, true);
            return a.lentOnceBack();
        }
        Attempt a = new Attempt(job, start, start + allowedNanos);
        inFlight.add(a);
        if (!job.slot.async) {
            runOnChannelThread(a, delivery);
            return false;
        }
        CompletionStage<DeliveryResult> stage;
        try {
            stage = ((AsyncChannel) job.slot.channel).deliverAsync(delivery);
            if (stage == null) {
                stage = CompletableFuture.completedFuture(DeliveryResult.retryLater("channel " + channel + " returned no stage"));
            }
        } catch (Throwable e) {
            stage = CompletableFuture.completedFuture(DeliveryResult.retryLater("channel " + channel + " threw " + e));
        }
        a.stage = stage;
        if (stage instanceof CompletableFuture<DeliveryResult> f && doneAlready(f)) {
            // answered before deliverAsync returned: this is a worker, the engine's own thread, so record here
            // and spare the hand-over to a recorder (what a fast in-memory channel would otherwise pay per delivery)
            channelAnswered(a, f, true);
            return false;
        }
        stage.whenComplete((result, error) -> channelAnswered(a, result, error, false, nanos.getAsLong()));
        return false;
    }

    private static boolean doneAlready(CompletableFuture<?> f) {
        try {
            return f.isDone();
        } catch (UnsupportedOperationException e) {
            return false; // a minimal stage answers nothing but its callbacks
        }
    }

    private void channelAnswered(Attempt a, CompletableFuture<DeliveryResult> done, boolean here) {
        DeliveryResult result = null;
        Throwable error = null;
        try {
            result = done.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            error = e;
        }
        channelAnswered(a, result, error, here, nanos.getAsLong());
    }

    /**
     * Calls the blocking {@code deliver} on this thread, which {@link Attempt#enter} (or the inline
     * attempt's constructor) made the attempt's runner, and records the outcome here. Inline, it is the quick channel's {@code deliver} on the worker
     * that dispatched it: the engine's path before attempts left the workers, with no thread
     * switch. Should the call outlive {@link #LEND_AFTER_NANOS}, {@link #checkDeadlines} lends
     * the worker to the channel, so a channel that turns slow or hangs holds no worker for long.
     */
    private void callDeliver(Attempt a, Delivery delivery, boolean onWorker) {
        ChannelSlot slot = a.job.slot;
        // inline, the call starts with the attempt: no second clock read on the delivery loop
        long t0 = onWorker ? a.startedNanos : nanos.getAsLong();
        DeliveryResult r;
        try {
            r = slot.channel.deliver(delivery);
        } catch (Throwable e) {
            // errors too (StackOverflowError, OutOfMemoryError): the channel's failure, retried per policy
            r = DeliveryResult.retryLater("channel " + slot.channel.name() + " threw " + e);
        }
        long t1 = nanos.getAsLong();
        slot.deliverTook(t1 - t0, onWorker);
        if (a.leave()) {
            // back within the allowance of stuck threads: a place the channel kept for them is free again
            slot.releaseAndUnpark(requeue);
        }
        channelAnswered(a, r, null, true, t1);
    }

    /**
     * The blocking {@code deliver} on the channel's own threads. The outcome is recorded on that
     * thread too: it is the engine's, bounded by the channel's concurrency, and a hand-over to a
     * recorder would cost every delivery a second thread switch (measured: 3x the CPU per delivery
     * of an in-memory channel with both hand-overs).
     */
    private void runOnChannelThread(Attempt a, Delivery delivery) {
        ChannelSlot slot = a.job.slot;
        try {
            slot.threads().execute(() -> {
                if (!a.enter()) {
                    return; // timed out before a thread was free; recorded already
                }
                callDeliver(a, delivery, false);
            });
        } catch (RejectedExecutionException e) {
            channelAnswered(a, DeliveryResult.retryLater("channel " + slot.channel.name() + " is closing"), null, false,
                    nanos.getAsLong());
        }
    }

    /** @param endNanos when the answer came (spares a clock read where the caller has one) */
    private void channelAnswered(Attempt a, DeliveryResult result, Throwable error, boolean here, long endNanos) {
        if (!a.job.finish(DeliveryJob.BY_CHANNEL)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "delivery " + a.job.key() + " answered after its deadline; ignored");
            return;
        }
        String channel = a.job.slot.channel.name();
        DeliveryResult r;
        if (error != null) {
            r = DeliveryResult.retryLater("channel " + channel + " threw " + unwrap(error));
        } else if (result == null) {
            r = DeliveryResult.retryLater("channel " + channel + " returned no result");
        } else {
            r = result;
        }
        Duration took = Duration.ofNanos(endNanos - a.startedNanos);
        if (here) {
            recordHere(a, r, took, false);
        } else {
            record(a, r, took, false);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Ends every attempt whose deadline has passed, once, as a timed-out attempt retried per policy,
     * and lends the workers held by an inline {@code deliver} past {@link #LEND_AFTER_NANOS}.
     */
    void checkDeadlines() {
        long now = nanos.getAsLong();
        for (Attempt a : inFlight) {
            checkDeadline(a, now);
        }
        for (Seat s : seats) {
            Attempt a = s.get();
            if (a != null) {
                checkDeadline(a, now);
            }
        }
    }

    private void checkDeadline(Attempt a, long now) {
        if (now - a.deadlineNanos >= 0 && a.job.finish(DeliveryJob.BY_DEADLINE)) {
            timeOut(a, now);
        } else if (!a.job.slot.async && a.inlineLongerThan(now, LEND_AFTER_NANOS)) {
            lend(a, "a deliver call held a worker for over " + LEND_AFTER_NANOS / 1_000_000 + " ms");
        }
    }

    private void lend(Attempt a, String why) {
        if (a.lend()) {
            a.job.slot.toOwnThreads(why);
            if (!closed) {
                replaceWorker.run();
            }
        }
    }

    private void timeOut(Attempt a, long now) {
        lend(a, "a deliver call outlived its deadline on a worker");
        if (a.job.slot.async) {
            CompletionStage<DeliveryResult> s = a.stage;
            if (s != null) {
                try {
                    s.toCompletableFuture().cancel(true);
                } catch (RuntimeException e) {
                    // a stage that cannot be cancelled runs on; its late answer is ignored
                }
            }
        } else {
            a.abandon();
        }
        record(a, DeliveryResult.retryLater("attempt timed out after " + a.allowed()), Duration.ofNanos(now - a.startedNanos), true);
    }

    /** Records the outcome on a recorder thread, then frees the attempt's place and permit. */
    private void record(Attempt a, DeliveryResult result, Duration took, boolean timedOut) {
        try {
            recorders.execute(() -> recordHere(a, result, took, timedOut));
        } catch (RejectedExecutionException e) {
            // stopped: the outcome is not stored; the lease lapses and the delivery is attempted again
            forget(a);
            LOG.log(System.Logger.Level.DEBUG, () -> "delivery " + a.job.key() + " answered after shutdown; its lease will lapse");
        }
    }

    /**
     * @param timedOut ended by its deadline ({@link #timeOut}): only such an attempt may keep its
     *        place ({@link Attempt#abandon}), so only then is its monitor asked
     */
    private void recordHere(Attempt a, DeliveryResult result, Duration took, boolean timedOut) {
        DeliveryJob job = a.job;
        try {
            outcomes.complete(job, result, took);
        } catch (Throwable e) {
            // past the store's own guard (a listener, a bug): the lease lapses and the delivery is claimed again
            LOG.log(System.Logger.Level.ERROR, "could not record the outcome of delivery " + job.key() + " through "
                    + job.slot.channel.name(), e);
        } finally {
            forget(a);
            forgetRenewal(job.deliveryId); // renewed while in flight: nothing waits for it any more
            if (!timedOut || !a.keepsPlace()) {
                job.slot.releaseAndUnpark(requeue);
            }
            permits.release();
        }
    }

    /** Takes an attempt out of the set, or off its seat (unless the worker sits a newer one there already). */
    private void forget(Attempt a) {
        if (a.seat != null) {
            a.seat.compareAndSet(a, null);
        } else {
            inFlight.remove(a);
        }
    }

    /**
     * Tells whether other nodes claim from the same store. Alone, a job whose lease ran out while it
     * waited is attempted anyway instead of handed back.
     */
    void sharedWithOtherNodes(boolean shared) {
        this.shared = shared;
    }

    /** Frees what a job that was not attempted held. */
    void freePlaceAndPermit(DeliveryJob job) {
        forgetRenewal(job.deliveryId);
        job.slot.releaseAndUnpark(requeue);
        permits.release();
    }

    /** Adds a line per attempt in flight. */
    void describe(List<String> unfinished) {
        for (Attempt a : inFlight) {
            unfinished.add(a.job.describe() + " (in flight)");
        }
        for (Seat s : seats) {
            Attempt a = s.get();
            if (a != null) {
                unfinished.add(a.job.describe() + " (in flight)");
            }
        }
    }

    /** Wakes workers waiting for a permit (they leave) and lets the recorders go once idle. */
    void close(int workers) {
        closed = true;
        permits.release(workers);
        recorders.shutdown();
    }
}
