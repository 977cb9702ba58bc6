package dev.notify.core;

import dev.notify.api.Priority;
import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A registered channel with its concurrency limit ({@code max-concurrency}), so one slow channel
 * cannot take every place in flight, and its meters. Owns the channel's places in flight, the jobs
 * parked until one frees up and, for a blocking push channel, the channel's own threads that call
 * {@code deliver} once it is not quick ({@link #inline()}; a quick one is called by the worker):
 * {@code max-concurrency} of them, plus up to {@code max-stuck-threads} replacements for threads
 * that a timed-out attempt left inside {@code deliver}. Calls nothing but the channel's name and
 * kind and the meter registry it is given.
 *
 * <p>When every allowed replacement is stuck as well, a timed-out attempt keeps its place until its
 * thread returns: the channel's deliveries then wait parked (no attempt is counted) rather than
 * the node growing threads without end, and a WARN names the channel.
 */
final class ChannelSlot {

    private static final System.Logger LOG = System.getLogger(ChannelSlot.class.getName());

    final Channel channel;
    final int limit;
    // whether max-concurrency was set for this channel (else it is the default, workers - 1: see acquireOrPark)
    private final boolean limitSet;
    final boolean async;
    final AtomicInteger queued = new AtomicInteger();
    // meters looked up once: a registry lookup per delivery shows in profiles
    final Counter sent;
    final Counter failed;
    final Counter retrying;
    final Timer latency;
    private final int stuckAllowance;
    private final ThreadPoolExecutor threads;
    // a blocking push channel's deliver runs inline on the worker while it is quick (see inline())
    private volatile boolean inline;
    // quick deliver calls in a row on the channel's own threads; racy on purpose, it only decides a mode
    private volatile int quickRun;
    // slow inline calls in a row (racy on purpose too)
    private volatile int slowRun;
    private int inFlight;
    private int stuck;
    // places kept by timed-out attempts whose threads are stuck past the allowance: always max(0, stuck - allowance)
    private int kept;
    // one FIFO per priority, highest (ordinal) last: a freed place goes to the most urgent job waiting
    private final ArrayDeque<DeliveryJob>[] parked = newLevels();
    private int parkedCount;

    /**
     * @param limit attempts of this channel in flight at once
     * @param stuckAllowance how many threads left inside a hung {@code deliver} are replaced (blocking push channels)
     */
    ChannelSlot(Channel channel, int limit, int stuckAllowance, MeterRegistry registry) {
        this(channel, limit, true, stuckAllowance, registry);
    }

    /**
     * @param limitSet whether {@code limit} was configured ({@code max-concurrency}) rather than the
     *        default: a default limit does not bind while the channel runs inline (see {@link #acquireOrPark})
     */
    ChannelSlot(Channel channel, int limit, boolean limitSet, int stuckAllowance, MeterRegistry registry) {
        this.channel = channel;
        this.limit = Math.max(1, limit);
        this.limitSet = limitSet;
        this.async = channel instanceof AsyncChannel;
        this.stuckAllowance = Math.max(0, stuckAllowance);
        this.sent = registry.counter("notify.deliveries.sent", "channel", channel.name());
        this.failed = registry.counter("notify.deliveries.failed", "channel", channel.name());
        this.retrying = registry.counter("notify.deliveries.retrying", "channel", channel.name());
        this.latency = Timer.builder("notify.delivery.latency").tag("channel", channel.name())
                .description("from accepted (or due) to sent")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        this.threads = async || channel.kind() != ChannelKind.PUSH ? null : newThreads(channel.name(), this.limit + this.stuckAllowance);
        this.inline = threads != null;
    }

    /**
     * Whether the worker that dispatches this channel's next attempt calls {@code deliver} itself
     * rather than handing it to the channel's threads. A hand-over costs a thread switch per
     * delivery (about 8 us on two cores: more than the whole path of an in-process channel), so a
     * channel whose calls are quick runs inline; two calls in a row that are not
     * ({@link #INLINE_MAX_NANOS}), or a worker the engine had to lend to it, move it to its own
     * threads, and {@link #QUICK_RUN} quick calls in a row there bring it back.
     */
    boolean inline() {
        return inline;
    }

    /** A {@code deliver} call longer than this moves the channel to its own threads: 1 ms. */
    static final long INLINE_MAX_NANOS = 1_000_000;
    /** Quick calls in a row (each under a quarter of {@link #INLINE_MAX_NANOS}) that bring a channel back inline. */
    static final int QUICK_RUN = 256;

    /** A {@code deliver} call took {@code nanos}; {@code onWorker} when it ran inline. */
    void deliverTook(long nanos, boolean onWorker) {
        if (onWorker) {
            // two in a row: one call's wall time includes the worker being preempted, which on a loaded
            // machine (more runnable threads than cores) stretched a 2 us call past 1 ms often enough
            // to send CoreBenchmark's no-op channel to its own threads and back every few thousand calls
            if (nanos <= INLINE_MAX_NANOS) {
                if (slowRun != 0) {
                    slowRun = 0; // written only when it changes: else a volatile write per delivery by every worker,
                                 // beside `inline`, which every worker reads per delivery
                }
            } else if (++slowRun >= 2) {
                toOwnThreads("two deliver calls in a row took over 1 ms, the last " + nanos / 1000 + " us");
            }
        } else if (nanos < INLINE_MAX_NANOS / 4) {
            int run = quickRun + 1;
            quickRun = run;
            if (run >= QUICK_RUN && !inline) {
                inline = true;
                LOG.log(System.Logger.Level.DEBUG, () -> "channel " + channel.name() + ": " + QUICK_RUN
                        + " quick deliver calls in a row; runs inline on the workers again");
            }
        } else {
            quickRun = 0;
        }
    }

    /** Moves the channel's next attempts to its own threads. */
    void toOwnThreads(String why) {
        quickRun = 0;
        slowRun = 0;
        if (inline) {
            inline = false;
            LOG.log(System.Logger.Level.DEBUG, () -> "channel " + channel.name() + ": " + why + "; runs on its own threads");
        }
    }

    /**
     * Threads made on demand and gone after a minute idle. The slot never hands over more tasks
     * than there are threads (places + stuck ones, each at most its bound), so the queue holds a
     * task only for the moment between a thread finishing and taking the next.
     */
    private static ThreadPoolExecutor newThreads(String channel, int max) {
        AtomicInteger seq = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "notify-channel-" + channel + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<DeliveryJob>[] newLevels() {
        ArrayDeque<DeliveryJob>[] levels = new ArrayDeque[Priority.values().length];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new ArrayDeque<>();
        }
        return levels;
    }

    /** The channel's own threads for {@code deliver}; null for an {@link AsyncChannel} or a stream channel. */
    ExecutorService threads() {
        return threads;
    }

    /**
     * Takes a place for the job, or parks it until a place frees up. One atomic step: were the
     * check and the parking separate, the last job in flight could finish in between and leave
     * the parked job with nobody to wake it.
     */
    synchronized boolean acquireOrPark(DeliveryJob job) {
        // The default limit (workers - 1) keeps a slow channel from holding every worker. While the
        // channel runs inline it is quick, and a call that stops being quick has its worker lent and
        // replaced within ~20 ms (InFlightAttempts), so there it only parked the fifth worker's job for
        // a second trip through the queue (~1 in 5 deliveries of CoreBenchmark's push channel). A
        // configured limit (a receiver that takes n at once) always binds.
        if (inFlight >= limit && (limitSet || !inline)) {
            parked[job.notification.priority().ordinal()].addLast(job);
            parkedCount++;
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
        if (parkedCount == 0) {
            return null;
        }
        for (int i = parked.length - 1; i >= 0; i--) {
            DeliveryJob next = parked[i].pollFirst();
            if (next != null) {
                parkedCount--;
                return next;
            }
        }
        return null;
    }

    /** Frees a place and hands the parked job that may run next, if any, to {@code requeue}. */
    void releaseAndUnpark(Consumer<DeliveryJob> requeue) {
        DeliveryJob next = releaseAndUnpark();
        if (next != null) {
            requeue.accept(next);
        }
    }

    /** Attempts in flight (for the gauge). */
    synchronized int inFlight() {
        return inFlight;
    }

    /** Threads left inside a timed-out {@code deliver} (for the gauge). */
    synchronized int stuck() {
        return stuck;
    }

    /**
     * A timed-out attempt left its thread inside {@code deliver}.
     *
     * @return true when the allowance of replacement threads is used up: the attempt keeps its place until the thread returns
     */
    synchronized boolean threadStuck() {
        stuck++;
        boolean keep = stuck > stuckAllowance;
        if (keep) {
            kept++;
        }
        LOG.log(System.Logger.Level.WARNING, "channel " + channel.name() + ": an attempt outlived its deadline and its thread is "
                + "still inside deliver (interrupted); " + stuck + " stuck thread(s), " + stuckAllowance + " replaced at most"
                + (keep ? "; no more replacements, so the channel runs " + (limit - (stuck - stuckAllowance))
                        + " attempt(s) at once until its threads return" : ""));
        return keep;
    }

    /**
     * A stuck thread returned from {@code deliver}.
     *
     * @return true when a kept place must be freed now: whichever stuck thread returns, the channel is back within its allowance
     */
    synchronized boolean threadBack() {
        if (stuck > 0) {
            stuck--;
        }
        if (kept > Math.max(0, stuck - stuckAllowance)) {
            kept--;
            return true;
        }
        return false;
    }

    synchronized boolean hasParked() {
        return parkedCount > 0;
    }

    synchronized List<DeliveryJob> drainParked() {
        List<DeliveryJob> out = new ArrayList<>(parkedCount);
        for (int i = parked.length - 1; i >= 0; i--) {
            out.addAll(parked[i]);
            parked[i].clear();
        }
        parkedCount = 0;
        return out;
    }

    /** Lets the channel's threads go once idle; never interrupts one inside {@code deliver}. */
    void stopThreads() {
        if (threads != null) {
            threads.shutdown();
        }
    }
}
