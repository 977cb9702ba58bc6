package dev.notify.core;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.Notification;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs push deliveries: the shared worker threads that take jobs from the {@link PriorityDeliveryQueue}
 * and start one attempt each within the channel's concurrency limit and the node's in-flight limit
 * ({@link InFlightAttempts}, which ends each attempt when the channel answers or its deadline
 * passes); the claims of due deliveries from the store (retries, scheduled ones, other nodes'
 * lapsed leases), bounded by what this node can start soon ({@link #claimBound()}), and the
 * wake-ups that bring them forward; the lease bookkeeping (which deliveries
 * this node holds in memory, handing back what it will not run; short deferrals kept in memory,
 * {@link HeldDeferrals}); the deadline watchdog; replays
 * of dead letters. What an attempt's result leads to (retry with backoff, dead letter, deferral)
 * is {@link DeliveryOutcomes}'.
 *
 * <p>The delivery model: <em>claimed</em> (leased to this node, queued), <em>dispatched</em> (a worker
 * takes a permit and a place and starts the attempt: {@code deliverAsync} of an
 * {@link dev.notify.api.spi.AsyncChannel}, or {@code deliver} of a blocking channel on that
 * channel's own threads), <em>result recorded</em> (on a recorder thread, fenced by the claim). A
 * worker never waits for a channel, so no channel, hung or throwing (errors such as
 * {@link StackOverflowError} included, the attempt's failure, retried per policy), can hold it.
 * Calls the store, the queue, the channels of the {@link ChannelRegistry} and the scheduler it is
 * given; never the publisher or the facade.
 */
final class DeliveryTracker {

    private static final System.Logger LOG = System.getLogger(DeliveryTracker.class.getName());
    private static final int CLAIM_BATCH = 256;
    // wake-ups for deliveries handed back: one claim per 10 ms at most; past a minute (or the poll interval, if longer)
    // the periodic claim is near enough
    private static final long WAKE_GRANULARITY_MILLIS = 10;
    private static final long WAKE_HORIZON_MILLIS = 60_000;
    // deferrals ending within this are held in memory (HeldDeferrals), and only if they end within half the lease too: the
    // webhook channel reserves places on a saturated endpoint's pace from where its last reservation ended, which after a
    // burst (its backlog pulled forward since) can lie seconds ahead; with a horizon of 2 s the benchmark's nodes held
    // none of those. Longer ones go to the store, where a node with free places may claim them
    private static final long HOLD_HORIZON_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final ServiceConfig config;
    private final NotificationStore store;
    private final PriorityDeliveryQueue<DeliveryJob> queue;
    private final ChannelRegistry registry;
    private final Cancellations cancellations;
    private final Metrics metrics;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentLongSet inMemory = new ConcurrentLongSet();
    private final DeliveryOutcomes outcomes;
    private final InFlightAttempts attempts;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger workerSeq = new AtomicInteger();
    private final DueWakeups wakeups;
    private final HeldDeferrals heldDeferrals;
    private final Duration holdMargin;
    // short deferrals kept in memory (holdDeferrals); not the worker's own 'holding' of a queued job
    private volatile boolean holdsDeferrals;
    // this node's life: a node restarted under the same id, or one paused past its lease, is told apart by it
    private final long leaseToken = new java.security.SecureRandom().nextLong() | 1;
    private volatile Runnable dueHere = () -> { };
    // the last claim stopped at claimBound() with more perhaps due: a worker that finds a free place and a short queue asks
    // for the next claim at once (claimAsked: one asked at a time) instead of idling until the periodic one
    private volatile boolean claimCut;
    private final AtomicBoolean claimAsked = new AtomicBoolean();
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
        // at most as many held as the node has places in flight: they count against its claims, so a node holding that
        // many claims nothing until some end, and the rest of a due backlog stays for the other nodes (with half as many,
        // a node still claimed a backlog it could only defer to the store; three nodes draining one: 0.67-0.79x of one
        // node's rate, 0.95x with this bound)
        this.heldDeferrals = new HeldDeferrals(scheduler, this::requeueHeld, Math.max(1, config.maxInFlight()),
                HOLD_HORIZON_NANOS, System::nanoTime);
        this.holdMargin = config.lease().dividedBy(2);
        metrics.gauge("notify.deliveries.held", heldDeferrals::size);
        this.outcomes = new DeliveryOutcomes(store, config.clock(), config.retryPolicy(), listeners, metrics, inMemory, this::wakeAt,
                this::holdDeferred);
        outcomes.fence(config.nodeId(), leaseToken);
        this.attempts = new InFlightAttempts(config, outcomes, this::handBack, this::reofferParked, this::replaceLentWorker,
                System::nanoTime);
        this.wakeups = new DueWakeups(scheduler, this::tick, WAKE_GRANULARITY_MILLIS,
                Math.max(WAKE_HORIZON_MILLIS, config.pollInterval().toMillis()), System::nanoTime);
    }

    /** A lease of this node from {@code now} for the configured length, with its fencing token. */
    Lease lease(Instant now) {
        return new Lease(config.nodeId(), now.plus(config.lease()), leaseToken);
    }

    /** Whether other nodes claim from the same store (see {@link InFlightAttempts#sharedWithOtherNodes}). */
    void sharedWithOtherNodes(boolean shared) {
        attempts.sharedWithOtherNodes(shared);
    }

    /**
     * Tells {@code hint} whenever a delivery becomes due now without this node running it (handed
     * back, deferred, replayed), so that other nodes can claim it at once (the cluster signal).
     */
    void onDueNow(Runnable hint) {
        this.dueHere = hint;
    }

    /** Starts the workers, the periodic claim of due deliveries and the timeout watchdog. */
    void start() {
        for (int i = 0; i < config.workers(); i++) {
            startWorker();
        }
        long tick = config.pollInterval().toMillis();
        ticker = scheduler.scheduleWithFixedDelay(this::tick, 0, Math.max(1, tick), TimeUnit.MILLISECONDS);
        // often enough to lend a worker held by an inline deliver within ~2x InFlightAttempts.LEND_AFTER_NANOS
        long watch = Math.max(5, Math.min(InFlightAttempts.LEND_CHECK_MILLIS,
                Math.min(config.deliveryTimeout().toMillis(), config.lease().toMillis()) / 4));
        watchdog = scheduler.scheduleWithFixedDelay(this::checkTimeouts, watch, watch, TimeUnit.MILLISECONDS);
    }

    /** Takes a freshly stored delivery that is due now; it is leased to this node already, until {@code leaseUntil}. */
    void accept(Notification n, ChannelSlot slot, String target, long deliveryId, Instant dueAt, Instant leaseUntil) {
        inMemory.add(deliveryId);
        enqueue(new DeliveryJob(n, slot, target, deliveryId, 1, dueAt, leaseUntil));
    }

    /** Replays a dead letter: due at once with a fresh set of attempts. */
    Optional<DeliveryRecord> replay(long deliveryId) {
        Instant now = config.clock().instant();
        Optional<DeliveryRecord> r = store.replay(deliveryId, now);
        r.ifPresent(d -> wakeAt(now));
        return r;
    }

    /**
     * Makes the deliveries {@code channel} deferred for {@code target} due now, at most {@code limit}
     * of them ({@link Integer#MAX_VALUE}: all), and claims them soon
     * ({@link dev.notify.api.spi.ChannelContext#deferredDueNow}). Off the caller's thread, which may
     * be an HTTP client's I/O thread: the store write runs on the engine's scheduler.
     */
    void bringForward(String channel, String target, int limit) {
        try {
            scheduler.execute(() -> {
                try {
                    // the ones held in memory first: no store write
                    List<DeliveryJob> held = heldDeferrals.takeFor(channel, target, limit);
                    if (!held.isEmpty()) {
                        metrics.count("notify.deliveries.brought-forward", held.size(), "channel", channel);
                        for (DeliveryJob j : held) {
                            enqueue(j);
                        }
                    }
                    if (held.size() >= limit) {
                        return;
                    }
                    Instant now = config.clock().instant();
                    int n = store.bringForward(channel, target, now, limit == Integer.MAX_VALUE ? limit : limit - held.size());
                    if (n > 0) {
                        metrics.count("notify.deliveries.brought-forward", n, "channel", channel);
                        LOG.log(System.Logger.Level.DEBUG, () -> n + " deferred deliveries of " + channel + " to " + target + " due now");
                        wakeAt(now);
                    }
                } catch (RuntimeException e) {
                    // the deliveries come back at their deferred times instead
                    LOG.log(System.Logger.Level.WARNING, "could not bring the deferred deliveries of " + channel + " to " + target
                            + " forward; they come back at their own times", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down: they stay in the store, due when they were
        }
    }

    /** How many deliveries this node holds (queued, parked or running), for the node registry. */
    int held() {
        return inMemory.size();
    }

    int workerCount() {
        return workers.size();
    }

    /** Attempts in flight now, on every channel. */
    int inFlight() {
        return attempts.size();
    }

    /** How many attempts had an outcome, for the shutdown report. */
    long completed() {
        return outcomes.completed();
    }

    /**
     * Keeps a deferred job in memory, still leased here, when its deferral ends soon and well inside
     * its lease (half the lease to spare, so the next attempt ends before the lease could lapse);
     * the job comes back to the queue then ({@link #requeueHeld}).
     */
    private boolean holdDeferred(DeliveryJob job, Instant until) {
        if (!holdsDeferrals || closing || until.plus(holdMargin).isAfter(job.leaseUntil)) {
            return false;
        }
        long delay = Instants.nanosBetween(config.clock().instant(), until);
        if (!heldDeferrals.hold(new DeliveryJob(job.notification, job.slot, job.target, job.deliveryId, job.attempt, until,
                job.leaseUntil), delay)) {
            return false;
        }
        metrics.count("notify.deliveries.deferred.held", 1, "channel", job.slot.channel.name());
        return true;
    }

    // a held deferral ended: queued again (handed back to the store when the queue is closed)
    private void requeueHeld(DeliveryJob job) {
        enqueue(job);
    }

    /**
     * Holds short deferrals in memory ({@link HeldDeferrals}) from now on. The engine turns it on
     * where other nodes claim from the same durable store: there a deferral handed back costs a
     * write and a claim, often by a node with no place for it either. Off by default: a node alone
     * on its store gains little by it, and with fifty hanging webhook endpoints beside a healthy one
     * the healthy one's latency tail grew (p99 59-90 ms against 21-36 ms, issue 14's test); the store
     * then also shows each deferral's time ({@code nextAttemptAt}), which tests with a
     * {@code MutableClock} rely on, where a held deferral comes back on the wall clock.
     */
    void holdDeferrals() {
        this.holdsDeferrals = true;
    }

    /** Deferred deliveries held in memory now (a gauge, and for tests). */
    int heldDeferrals() {
        return heldDeferrals.size();
    }

    /** Queues a delivery that is due now; later ones stay in the store until a claim takes them. */
    private void enqueue(DeliveryJob job) {
        job.slot.queued.incrementAndGet();
        if (!queue.offerAccepted(job.notification.priority(), job)) {
            job.slot.queued.decrementAndGet();
            handBack(job);
        }
    }

    /** A worker was lent to a channel whose {@code deliver} held it (see {@link InFlightAttempts#LEND_AFTER_NANOS}). */
    private void replaceLentWorker() {
        if (!closing) {
            metrics.count("notify.workers.lent", 1);
            startWorker();
        }
    }

    private void startWorker() {
        Worker w = new Worker();
        Thread t = new Thread(w, "notify-worker-" + workerSeq.incrementAndGet());
        t.setDaemon(true);
        workers.add(w);
        t.start();
    }

    /**
     * A shared worker: takes a permit of the node's in-flight limit, the next job, a place in its
     * channel, and starts the attempt; it never waits for a channel, so a hung one cannot hold it.
     */
    private final class Worker implements Runnable {
        // lent to a channel whose deliver held it: a replacement was started, so this one leaves without another
        private boolean lent;
        private boolean holding;
        // where the attempts this worker runs inline sit while they run
        private final InFlightAttempts.Seat seat = attempts.seat();
        // the queue forgets the job it holds for this worker once the attempt is in flight (before an inline deliver)
        private final Runnable unhold = () -> {
            if (holding) {
                holding = false;
                queue.unhold();
            }
        };

        @Override
        public void run() {
            try {
                while (!closed) {
                    try {
                        if (!attempts.acquire()) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        continue;
                    }
                    if (claimCut) {
                        claimSoonIfShort();
                    }
                    DeliveryJob job;
                    try {
                        job = queue.takeAndHold();
                    } catch (InterruptedException e) {
                        attempts.release();
                        continue;
                    }
                    if (job == null) {
                        attempts.release();
                        return;
                    }
                    if (!job.slot.acquireOrPark(job)) {
                        // a parked job holds no permit but still counts against the queue's capacity; queued again when a place frees up
                        attempts.release();
                        continue;
                    }
                    // held until the attempt is in flight, so that a draining shutdown never sees the job nowhere
                    holding = true;
                    try {
                        lent = dispatch(job);
                    } finally {
                        unhold.run();
                    }
                    if (lent) {
                        return;
                    }
                }
            } finally {
                workers.remove(this);
                attempts.unseat(seat);
                if (!closing && !lent) {
                    // only a throwable from the queue itself gets here; a node must not lose workers one by one
                    startWorker();
                }
            }
        }

        /** @return whether this worker was lent to the job's channel meanwhile (and must leave) */
        private boolean dispatch(DeliveryJob job) {
            job.slot.queued.decrementAndGet();
            try {
                Instant now = config.clock().instant();
                if (job.notification.isExpiredAt(now)) {
                    expire(job);
                    attempts.freePlaceAndPermit(job);
                } else if (cancellations.contains(job.notification.id())) {
                    inMemory.remove(job.deliveryId);
                    attempts.freePlaceAndPermit(job);
                } else {
                    return attempts.start(job, now, unhold, seat);
                }
            } catch (Throwable e) {
                // past every guard of the attempt (the store, a bug): the job may be lost for now, the worker is not
                if (job.finish(DeliveryJob.BY_CHANNEL)) {
                    handBack(job);
                    attempts.freePlaceAndPermit(job);
                }
                LOG.log(System.Logger.Level.ERROR, "delivery " + job.key() + " through " + job.slot.channel.name()
                        + " failed outside the channel; the worker carries on", e);
            }
            return false;
        }
    }

    private void expire(DeliveryJob job) {
        if (job.deliveryId != 0) {
            inMemory.remove(job.deliveryId);
            store.cancel(job.notification.id());
        }
        metrics.count("notify.deliveries.expired", 1, "channel", job.slot.channel.name());
    }

    /** Ends the attempts that outlived their deadline (the delivery timeout, or less when the lease ends sooner). */
    void checkTimeouts() {
        try {
            attempts.checkDeadlines();
        } catch (Throwable e) {
            // a periodic task that throws is never run again: no later attempt would ever time out
            LOG.log(System.Logger.Level.ERROR, "could not check the deadlines of the attempts in flight", e);
        }
    }

    private void reofferParked(DeliveryJob next) {
        queue.unhold();
        if (!queue.offerAccepted(next.notification.priority(), next)) {
            handBack(next);
        }
    }

    /**
     * Brings the next claim forward to {@code at} (a delivery handed back falls due then), to within
     * {@link DueWakeups}' 10 ms, when the periodic one would come later.
     */
    private void wakeAt(Instant at) {
        if (closing) {
            return;
        }
        long ms = Math.max(0, Duration.between(config.clock().instant(), at).toMillis());
        if (ms == 0) {
            dueHere.run();
            try {
                scheduler.execute(this::tick);
            } catch (RejectedExecutionException e) {
                // shutting down: the store keeps the delivery for the next start
            }
            return;
        }
        wakeups.wakeIn(ms);
    }

    /** A place is free and the last claim stopped at the bound: claims again now if the queue runs short. */
    private void claimSoonIfShort() {
        if (!closing && queue.sizeSeen() <= config.workers() && claimAsked.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::tick);
            } catch (RejectedExecutionException e) {
                claimAsked.set(false); // shutting down
            }
        }
    }

    /**
     * How many more due deliveries this node claims now: what it can start within a short horizon,
     * its free places in flight ({@code delivery.max-in-flight} less the attempts in flight) plus two
     * jobs per worker (one to take now, one ready behind it), less the jobs already waiting in memory
     * (queued, parked, or deferred and held: {@link HeldDeferrals});
     * never more than the queue has room for. Bounded by the queue alone, the first node whose claim
     * found a large due backlog leased up to {@code queue-capacity} of it (100,000 by default) and
     * the other nodes idled until its leases lapsed; bounded so, each node holds about what it can
     * run, and the rest stays in the store for whichever node has a place free first.
     */
    int claimBound() {
        // a job a worker is handing to its channel counts as waiting and in flight for a moment: never below 0
        return Math.max(0, Math.min(queue.room(), attempts.freePlaces() + 2 * config.workers() - queue.sizeWithHeld()
                - heldDeferrals.size()));
    }

    /** Claims due deliveries from the store and queues them. */
    void tick() {
        claimAsked.set(false);
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
            int bound = claimBound();
            if (bound <= 0) {
                claimCut = true; // more may be due: asked for again once a place frees up (claimSoonIfShort)
                return;
            }
            int limit = Math.min(CLAIM_BATCH, bound);
            Lease lease = lease(now);
            List<DeliveryRecord> claimed = store.claimDue(now, limit, lease);
            for (DeliveryRecord d : claimed) {
                // held in memory already (queued, parked or running): its lease was renewed, it must not run twice
                if (!inMemory.add(d.id())) {
                    attempts.renewed(d.id(), lease.until());
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
                enqueue(new DeliveryJob(n.get(), s, d.target(), d.id(), d.attempts() + 1, now, lease.until()));
            }
            if (claimed.size() < limit) {
                claimCut = false; // nothing more is due now
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
                if (!store.release(job.deliveryId, job.dueAt, outcomes.claimOf(job))) {
                    DeliveryOutcomes.lostClaim(job, "its hand-back");
                    return;
                }
                if (!closed && !job.dueAt.isAfter(config.clock().instant())) {
                    dueHere.run(); // an idle node may take it at once
                }
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
        // not due yet, so nothing a draining shutdown should wait for: back to the store, due when they were to run
        for (DeliveryJob j : heldDeferrals.close()) {
            handBack(j);
        }
    }

    /** Whether anything is queued, parked or in flight. */
    boolean busy() {
        if (queue.sizeWithHeld() > 0) {
            return true;
        }
        if (attempts.size() > 0) {
            return true;
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
        // No interrupt: a worker or recorder may be inside the store, and an interrupt during I/O can
        // close a database file (H2) or a connection. Idle workers leave when the closed queue or the
        // closed permits wake them; a channel thread stuck in a plugin is a daemon thread, reported here.
        attempts.describe(unfinished);
        attempts.close(workers.size());
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
        for (DeliveryJob j : heldDeferrals.close()) {
            handBack(j);
        }
        queue.close();
        attempts.close(workers.size());
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {watchdog, ticker}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
