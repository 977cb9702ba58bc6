package dev.notify.core;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.spi.DeliveryClaim;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.NotificationStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Where a retry is scheduled: turns the result of one attempt into the delivery's next state and
 * stores it. Sent; failed for good (a dead letter) when the channel says so or the
 * {@link RetryPolicy}'s last attempt failed; otherwise retrying at now + the policy's backoff with
 * jitter, or the channel's {@code Retry-After} when that is longer; deferred (handed back without
 * counting an attempt). Calls the store, the listeners, the slot's meters and the {@code wake}
 * function it is given (the tracker's, which claims the retry when it is due).
 */
final class DeliveryOutcomes {

    private static final System.Logger LOG = System.getLogger(DeliveryOutcomes.class.getName());

    private final NotificationStore store;
    private final Clock clock;
    private final RetryPolicy retryPolicy;
    private final DeliveryListeners listeners;
    private final Metrics metrics;
    private final ConcurrentLongSet inMemory;
    private final Consumer<Instant> wake;
    private final Holder holder;
    private final SplittableRandom random = new SplittableRandom();
    private final AtomicLong completed = new AtomicLong();
    // fencing: this node's id and lease token; no owner means unfenced writes (tests of this class alone)
    private volatile String owner;
    private volatile long token;

    /** Keeps a deferred job in memory until its deferral ends, instead of handing it back to the store. */
    @FunctionalInterface
    interface Holder {
        /** @return whether the job is held (it then stays leased and in memory); false: hand it back */
        boolean hold(DeliveryJob job, Instant until);
    }

    /** Every deferral handed back to the store. */
    DeliveryOutcomes(NotificationStore store, Clock clock, RetryPolicy retryPolicy, DeliveryListeners listeners, Metrics metrics,
                     ConcurrentLongSet inMemory, Consumer<Instant> wake) {
        this(store, clock, retryPolicy, listeners, metrics, inMemory, wake, (job, until) -> false);
    }

    /**
     * @param inMemory the ids of the deliveries this node holds; an id leaves it before its outcome is stored
     * @param wake asks for a claim of due deliveries at the given time
     * @param holder asked first whether a deferred job stays in memory ({@link HeldDeferrals})
     */
    DeliveryOutcomes(NotificationStore store, Clock clock, RetryPolicy retryPolicy, DeliveryListeners listeners, Metrics metrics,
                     ConcurrentLongSet inMemory, Consumer<Instant> wake, Holder holder) {
        this.store = store;
        this.clock = clock;
        this.retryPolicy = retryPolicy;
        this.listeners = listeners;
        this.metrics = metrics;
        this.inMemory = inMemory;
        this.wake = wake;
        this.holder = holder;
    }

    /** Fences every write about a delivery with the claim this node holds on it ({@link DeliveryClaim}). */
    void fence(String nodeId, long leaseToken) {
        this.owner = nodeId;
        this.token = leaseToken;
    }

    /** The claim this node holds on the job's delivery, or null when writes are not fenced. */
    DeliveryClaim claimOf(DeliveryJob job) {
        String o = owner;
        return o == null ? null : new DeliveryClaim(o, token, job.attempt - 1);
    }

    /** Logs that another node took over a delivery this node had claimed: the write was refused. */
    static void lostClaim(DeliveryJob job, String what) {
        LOG.log(System.Logger.Level.WARNING, "delivery " + job.key() + " (" + job.slot.channel.name() + ") is no longer this node's: "
                + "its lease lapsed and another node took it over, so " + what + " is not recorded; moving on");
    }

    /** How many attempts had an outcome (deferrals aside). */
    long completed() {
        return completed.get();
    }

    /** Records the outcome of the job's attempt, which took {@code took}. */
    void complete(DeliveryJob job, DeliveryResult result, Duration took) {
        String channel = job.slot.channel.name();
        Instant now = clock.instant();
        if (result.outcome() == DeliveryResult.Outcome.DEFERRED) {
            defer(job, now.plus(result.retryAfter().orElse(Duration.ZERO)), result.reason());
            return;
        }
        completed.incrementAndGet();
        DeliveryStatus status;
        Optional<Instant> next = Optional.empty();
        switch (result.outcome()) {
            case SENT:
                status = DeliveryStatus.SENT;
                break;
            case FAILED:
                status = DeliveryStatus.FAILED;
                break;
            default:
                if (retryPolicy.allowsRetryAfter(job.attempt)) {
                    status = DeliveryStatus.RETRYING;
                    next = Optional.of(now.plus(retryDelay(job.attempt, result)));
                } else {
                    status = DeliveryStatus.FAILED;
                }
        }
        DeliveryRecord record;
        try {
            DeliveryAttempt attempt = DeliveryAttempt.of(job.deliveryId, job.attempt, job.startedAt, took, result);
            // forgotten while still leased: once recorded, a tick that claims the retry must not skip it as "already held"
            inMemory.remove(job.deliveryId);
            DeliveryClaim claim = claimOf(job);
            Optional<DeliveryRecord> r = claim == null ? store.recordAttempt(attempt, status, next)
                    : store.recordAttempt(attempt, status, next, claim);
            if (r.isEmpty()) {
                if (claim != null) {
                    lostClaim(job, "the outcome of attempt " + job.attempt + " (" + status.wireName() + ")");
                }
                return;
            }
            record = r.get();
            status = record.status();
            if (status == DeliveryStatus.RETRYING) {
                wake.accept(record.nextAttemptAt().orElse(now));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not record the outcome of delivery " + job.key() + " (" + channel
                    + "); the store will hand it out again after its lease", e);
            return;
        }
        switch (status) {
            case SENT:
                job.slot.sent.increment();
                Instant createdAt = job.notification.createdAt();
                Instant since = job.notification.scheduledAt().orElse(createdAt);
                if (since.isBefore(createdAt)) {
                    since = createdAt;
                }
                // without a capturing lambda or a Duration: this runs once per delivery
                job.slot.latency.record(Math.abs(Instants.nanosBetween(since, now)), TimeUnit.NANOSECONDS);
                listeners.sent(record);
                break;
            case RETRYING:
                job.slot.retrying.increment();
                listeners.retrying(record, result.reason());
                break;
            case FAILED:
                job.slot.failed.increment();
                LOG.log(System.Logger.Level.WARNING, "delivery " + job.key() + " through " + channel + " to " + job.target
                        + " failed for good after " + job.attempt + " attempt(s): " + result.reason());
                listeners.failed(record, result.reason());
                break;
            default:
                break;
        }
    }

    /** The policy's backoff with jitter after this attempt, or the channel's Retry-After when that is longer. */
    private Duration retryDelay(int attempt, DeliveryResult result) {
        Duration delay;
        synchronized (random) {
            delay = retryPolicy.delayAfter(attempt, random);
        }
        if (result.retryAfter().isPresent() && result.retryAfter().get().compareTo(delay) > 0) {
            delay = result.retryAfter().get();
        }
        return delay;
    }

    /**
     * A delivery the channel did not attempt, due again at {@code until}, no attempt counted: held in
     * memory when the holder takes it, else back to the store.
     */
    void defer(DeliveryJob job, Instant until, String reason) {
        metrics.count("notify.deliveries.deferred", 1, "channel", job.slot.channel.name());
        LOG.log(System.Logger.Level.DEBUG, () -> "delivery " + job.key() + " deferred until " + until + ": " + reason);
        if (job.deliveryId != 0 && holder.hold(job, until)) {
            return; // still leased to this node and in memory
        }
        if (job.deliveryId != 0) {
            // forgotten before the release: a tick that claims the released row must not skip it as "already held"
            inMemory.remove(job.deliveryId);
            try {
                DeliveryClaim claim = claimOf(job);
                if (claim == null) {
                    store.release(job.deliveryId, until);
                } else if (!store.release(job.deliveryId, until, claim)) {
                    lostClaim(job, "its deferral");
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not defer delivery " + job.key() + "; its lease will lapse", e);
            }
        }
        wake.accept(until);
    }
}
