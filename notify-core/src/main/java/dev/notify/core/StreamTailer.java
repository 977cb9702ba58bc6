package dev.notify.core;

import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.NotificationStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What wakes the live fan-out: tails the event log on its own thread and hands each notification's
 * entries to the stream channels, one notification after the other in sequence order. Order
 * matters: a client that saw sequence 11 resumes "after 11", so 10 must never reach it later.
 * Tailing the shared log (instead of fanning out from the publishing thread) also brings the
 * entries other nodes appended to this node's subscribers. Entries of a notification scheduled for
 * later are held until it is due.
 *
 * <p>A stream channel that throws (an {@link Error} included) fails that one push, never the
 * tailer. Calls the store (reading only), the stream channels of the {@link ChannelRegistry}, the
 * listeners and the scheduler it is given.
 */
final class StreamTailer implements Runnable {

    private static final System.Logger LOG = System.getLogger(StreamTailer.class.getName());
    private static final int BATCH = 512;

    private final NotificationStore store;
    private final Clock clock;
    private final ChannelRegistry registry;
    private final DeliveryListeners listeners;
    private final Cancellations cancellations;
    private final ScheduledExecutorService scheduler;
    private final Duration idle;
    private final Duration pollInterval;
    private final PriorityQueue<Held> held = new PriorityQueue<>((a, b) -> a.dueAt.compareTo(b.dueAt));
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final Object pushLock = new Object();
    private volatile java.util.function.ToLongFunction<String> carriedThrough;
    // notifications this node published: their counts were pushed already; other nodes' ones need it here
    private final Set<String> publishedHere = ConcurrentHashMap.newKeySet();
    private volatile boolean shared;
    private volatile Consumer<String> statsChanged = u -> { };
    private volatile Thread thread;
    private volatile ScheduledFuture<?> releaser;
    private volatile long position;
    private volatile boolean signalled;
    private volatile boolean stopping;
    private volatile boolean warnedPruned;
    // this node's appends since the tailer's position (null: read everything from the store)
    private volatile LocalAppends local;

    /** A notification's entries waiting for its scheduled time before they go to live subscribers. */
    private record Held(Notification notification, List<EventLogEntry> entries, Instant dueAt) {
    }

    /**
     * @param idle how long to wait for a wake-up before looking at the log again (other nodes' entries)
     * @param pollInterval how often held entries are checked for being due
     */
    StreamTailer(NotificationStore store, Clock clock, ChannelRegistry registry, DeliveryListeners listeners,
                 Cancellations cancellations, ScheduledExecutorService scheduler, Duration idle, Duration pollInterval) {
        this.store = store;
        this.clock = clock;
        this.registry = registry;
        this.listeners = listeners;
        this.cancellations = cancellations;
        this.scheduler = scheduler;
        this.idle = idle;
        this.pollInterval = pollInterval;
    }

    /** Starts tailing from the log's current end. */
    void start() {
        position = store.latestSequence();
        Thread t = new Thread(this, "notify-stream");
        t.setDaemon(true);
        thread = t;
        t.start();
        long ms = Math.max(1, pollInterval.toMillis());
        releaser = scheduler.scheduleWithFixedDelay(this::releaseDue, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends the recipients of notifications other nodes published new inbox counts through
     * {@code push} (those of this node's own publishes are pushed by the publisher).
     */
    void onOthersPublished(Consumer<String> push) {
        this.statsChanged = push;
    }

    /**
     * Whether other nodes may append to the log (a cluster signal engine other than the in-process
     * one). Alone, every entry is this node's own, so none is noted or looked up (measured: the
     * note and the look-up cost ~5% of an in-memory stream publish).
     */
    void sharedWithOtherNodes(boolean shared) {
        this.shared = shared;
    }

    /** Notes a notification this node is about to store, so its counts are not pushed twice. */
    void publishingHere(String notificationId) {
        if (shared) {
            publishedHere.add(notificationId);
        }
    }

    /** Forgets a notification noted by {@link #publishingHere} that was not stored, or stored without entries. */
    void notPublished(String notificationId) {
        if (shared) {
            publishedHere.remove(notificationId);
        }
    }

    /**
     * Keeps this node's appends from their publish until they are pushed, so they are not read
     * back from the store ({@link LocalAppends}; for a durable store).
     */
    void keepLocalAppends() {
        local = new LocalAppends();
    }

    /** Notes the entries of publishes this node committed (see {@link #keepLocalAppends()}). */
    void appendedHere(List<dev.notify.api.spi.PublishResult> results) {
        LocalAppends own = local;
        if (own != null) {
            own.add(results);
        }
    }

    /** Looks at the log at once (a local publish appended to it). */
    void wake() {
        signalled = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** How far the log has been pushed: every entry at or below it went to the stream channels (or was held). */
    long position() {
        return position;
    }

    /** How many times the log was read (a metric: what carried entries save). */
    long reads() {
        return reads.get();
    }

    /**
     * Leaves out, from now on, each user's entries up to {@code through(user)}: another node carried
     * them here and they were pushed already (see {@link CarriedEntries}). Without this a tailer
     * behind them would push them again, to connections still replaying among others, after newer
     * carried ones.
     */
    void skipCarried(java.util.function.ToLongFunction<String> through) {
        this.carriedThrough = through;
    }

    /**
     * The lock under which the tailer pushes one notification and moves past it; a carried entry is
     * checked and pushed under it too, so neither path pushes what the other has pushed.
     */
    Object pushLock() {
        return pushLock;
    }

    /**
     * Pushes a notification's entry that another node carried here, from the caller's thread (which
     * holds {@link #pushLock()}), and its recipient's new counts.
     */
    void pushCarried(Notification n, EventLogEntry entry) {
        fanOut(n, List.of(entry));
        pushStats(List.of(entry));
    }

    /** How many live pushes had an outcome, for the shutdown report. */
    long completed() {
        return completed.get();
    }

    @Override
    public void run() {
        long idleNanos = idle.toNanos();
        while (true) {
            boolean more;
            try {
                more = pump();
            } catch (Throwable e) {
                // the only thread that feeds live streams: whatever a read or a push threw, it carries on
                LOG.log(System.Logger.Level.WARNING, "could not read the event log for live streams; will try again", e);
                more = false;
            }
            if (!more) {
                if (stopping) {
                    return;
                }
                if (!signalled) {
                    LockSupport.parkNanos(this, idleNanos);
                }
                signalled = false;
            }
        }
    }

    private boolean pump() {
        LocalAppends own = local;
        if (own != null && registry.hasStreamChannels()) {
            List<EventLogEntry> appended = own.next(position, BATCH);
            if (!appended.isEmpty()) {
                // this node's own appends, the next ones in the log: no read of the store (see LocalAppends)
                push(appended);
                return true;
            }
        }
        // latest before the flag: an entry published after a stream channel registers is never skipped
        long latest = store.latestSequence();
        if (!registry.hasStreamChannels()) {
            // nobody to hand entries to: skip them rather than read each one (push-only services)
            position = Math.max(position, latest);
            return false;
        }
        if (latest <= position) {
            return false; // nothing committed past what was pushed: no read
        }
        reads.incrementAndGet();
        EventLogSlice slice = store.readAll(position, BATCH);
        if (slice.pruned() && !warnedPruned) {
            warnedPruned = true;
            LOG.log(System.Logger.Level.WARNING, "live streams fell behind event-log retention; some events were only stored, not pushed");
        }
        List<EventLogEntry> entries = slice.entries();
        push(entries);
        if (own != null) {
            own.passed(position);
        }
        return entries.size() == BATCH;
    }

    /** Pushes entries read in sequence order, a notification's entries together, moving the position past each. */
    private void push(List<EventLogEntry> entries) {
        int i = 0;
        while (i < entries.size()) {
            Notification n = entries.get(i).notification();
            int j = i + 1;
            while (j < entries.size() && entries.get(j).notification().id().equals(n.id())) {
                j++;
            }
            List<EventLogEntry> mine = entries.subList(i, j);
            synchronized (pushLock) {
                List<EventLogEntry> left = notCarried(mine);
                if (!left.isEmpty()) {
                    fanOut(n, left);
                }
                if (shared && !publishedHere.remove(n.id())) {
                    pushStats(left);
                }
                // past each notification: should anything still escape, what was pushed is not pushed twice
                position = entries.get(j - 1).sequence();
            }
            i = j;
        }
    }

    /** The entries minus those of users whose carried entries went out up to or past them. */
    private List<EventLogEntry> notCarried(List<EventLogEntry> entries) {
        java.util.function.ToLongFunction<String> through = carriedThrough;
        if (through == null) {
            return entries;
        }
        List<EventLogEntry> left = null;
        for (int k = 0; k < entries.size(); k++) {
            EventLogEntry e = entries.get(k);
            boolean carried = e.audience() instanceof dev.notify.api.Audience.User u && e.sequence() <= through.applyAsLong(u.userId());
            if (carried && left == null) {
                left = new ArrayList<>(entries.subList(0, k));
            } else if (!carried && left != null) {
                left.add(e);
            }
        }
        return left == null ? entries : left;
    }

    private void pushStats(List<EventLogEntry> entries) {
        for (EventLogEntry e : entries) {
            if (e.audience() instanceof dev.notify.api.Audience.User u) {
                try {
                    statsChanged.accept(u.userId());
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.DEBUG, "could not push counts of " + u.userId(), ex);
                }
            }
        }
    }

    /** Hands one notification's entries to every stream channel that carries it, or holds them until it is due. */
    void fanOut(Notification n, List<EventLogEntry> entries) {
        Instant now = clock.instant();
        if (n.isExpiredAt(now)) {
            return;
        }
        Optional<Instant> later = n.scheduledAt().filter(now::isBefore);
        if (later.isPresent()) {
            hold(new Held(n, List.copyOf(entries), later.get()));
            return;
        }
        if (cancellations.contains(n.id())) {
            return;
        }
        for (ChannelSlot s : registry.allSlots()) {
            if (s.channel.kind() != ChannelKind.STREAM || (!n.channels().isEmpty() && !n.channels().contains(s.channel.name()))) {
                continue;
            }
            if (s.channel.targets(n).isEmpty()) {
                continue;
            }
            deliver(s, n, entries, now);
        }
    }

    private void deliver(ChannelSlot slot, Notification n, List<EventLogEntry> entries, Instant now) {
        String name = slot.channel.name();
        DeliveryResult result;
        try {
            result = slot.channel.deliver(new Delivery(n.id() + ":" + name, n, name, Delivery.STREAM_TARGET, 1, entries));
            if (result == null) {
                result = DeliveryResult.failed("channel " + name + " returned no result");
            }
        } catch (Throwable e) {
            // errors too: a StackOverflowError in one channel must not stop live pushes for every channel
            result = DeliveryResult.failed("channel " + name + " threw " + e);
        }
        completed.incrementAndGet();
        boolean sent = result.isSent();
        DeliveryRecord record = new DeliveryRecord(0, n.id(), name, Delivery.STREAM_TARGET, n.priority(),
                sent ? DeliveryStatus.SENT : DeliveryStatus.FAILED, 1, Optional.empty(),
                sent ? Optional.empty() : Optional.of(result.reason()), n.createdAt(), clock.instant());
        if (sent) {
            slot.sent.increment();
            Instant since = n.scheduledAt().filter(x -> x.isAfter(n.createdAt())).orElse(n.createdAt());
            slot.latency.record(Duration.between(since, now).abs());
            listeners.sent(record);
        } else {
            // live subscribers that missed it read it from the event log when they resume
            slot.failed.increment();
            LOG.log(System.Logger.Level.WARNING, "live push of " + n.id() + " through " + name + " failed: " + result.reason());
            listeners.failed(record, result.reason());
        }
    }

    private void hold(Held h) {
        synchronized (held) {
            held.add(h);
        }
        if (stopping) {
            return;
        }
        long ms = Math.max(0, Duration.between(clock.instant(), h.dueAt).toMillis());
        if (ms < pollInterval.toMillis()) {
            try {
                scheduler.schedule(this::releaseDue, ms, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down: reported as unfinished; clients read it from the event log
            }
        }
    }

    /** Pushes the held notifications that are due now. */
    void releaseDue() {
        if (stopping) {
            return;
        }
        try {
            Instant now = clock.instant();
            List<Held> due = new ArrayList<>();
            synchronized (held) {
                while (!held.isEmpty() && !held.peek().dueAt.isAfter(now)) {
                    due.add(held.poll());
                }
            }
            for (Held h : due) {
                fanOut(h.notification, h.entries);
            }
        } catch (Throwable e) {
            // a periodic task that throws is never run again: held pushes would wait forever
            LOG.log(System.Logger.Level.WARNING, "could not push scheduled live events; will try again", e);
        }
    }

    /** Drops the held entries of a cancelled notification; true when there were any. */
    boolean cancelHeld(String notificationId) {
        synchronized (held) {
            return held.removeIf(h -> h.notification.id().equals(notificationId));
        }
    }

    /**
     * Stops after the entries already in the log are pushed, waiting at most until {@code deadlineNanos}.
     *
     * @param unfinished receives a line per held notification, which clients read from the event log instead
     */
    void stop(long deadlineNanos, List<String> unfinished) {
        stopping = true;
        ScheduledFuture<?> r = releaser;
        if (r != null) {
            r.cancel(false);
        }
        wake();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // not interrupted if still busy: it may be reading the store, and an interrupt can break store I/O
        }
        synchronized (held) {
            for (Held h : held) {
                unfinished.add("live stream push of notification " + h.notification.id() + " (scheduled for " + h.dueAt
                        + "; clients read it from the event log)");
            }
            held.clear();
        }
    }
}
