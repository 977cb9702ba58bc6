package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignal;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.Metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * This node's end of the cluster signal: collects what this node changed, coalesces it and hands it
 * to the {@link ClusterSignals} engine on one sender thread (a burst of publishes becomes one
 * message: whatever piles up while one is being sent goes out together); and turns what other nodes
 * sent into wake-ups of this node's parts (tailer, delivery claims, inbox counts), run on the
 * engine's timers so the engine's receiving thread never waits for the store.
 *
 * <p>Signals are hints: a lost one costs latency (the tailer and the claims still poll), never an event.
 */
final class ClusterLink implements ClusterContext {

    private static final System.Logger LOG = System.getLogger(ClusterLink.class.getName());

    /**
     * What a received signal wakes.
     *
     * @param logAppended another node appended to the event log
     * @param deliveryDue a delivery became due on another node
     * @param inboxChanged a user's inbox changed on another node
     * @param settingChanged a setting (kind, id) changed on another node
     * @param resync signals may have been lost: catch up on everything
     */
    record Receivers(Runnable logAppended, Runnable deliveryDue, java.util.function.Consumer<String> inboxChanged,
                     java.util.function.BiConsumer<String, String> settingChanged, Runnable resync,
                     java.util.function.Consumer<List<ClusterSignal.LiveEntry>> liveEntries) {
    }

    /**
     * What carrying entries whole needs from the host: the audience's previous sequence (the store's
     * {@link dev.notify.api.spi.NotificationStore#sequenceBefore}) and the notification's text.
     */
    interface Carrier {
        long sequenceBefore(Audience audience, long sequence);

        String write(dev.notify.api.Notification notification);
    }

    /** Entries waiting to be carried beyond this many go as plain signals: a sender behind on store reads catches up. */
    static final int MAX_PENDING_ENTRIES = 256;

    private final String nodeId;
    private final Config config;
    private final Clock clock;
    private final Metrics metrics;
    private final Executor executor;
    private volatile Receivers receivers;
    private volatile ClusterSignals engine;
    private final Object lock = new Object();
    // set at start when the engine is the in-process one: there are no other nodes to tell
    private volatile boolean silent;
    // pending, coalesced: guarded by lock
    private long pendingSequence = -1;
    private final Set<Audience> pendingAudiences = new LinkedHashSet<>();
    private boolean pendingWide;
    private boolean pendingDue;
    private final Set<String> pendingUsers = new LinkedHashSet<>();
    private final Set<ClusterSignal.SettingChanged> pendingSettings = new LinkedHashSet<>();
    private final List<dev.notify.api.EventLogEntry> pendingEntries = new ArrayList<>();
    private volatile Carrier carrier;
    // received live entries are pushed on one thread of their own, in the order they arrived
    private volatile java.util.concurrent.ExecutorService carriedPusher;
    private volatile Thread sender;
    private volatile boolean closed;
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong receivedCount = new AtomicLong();

    ClusterLink(String nodeId, Config config, Clock clock, Metrics metrics, Executor executor) {
        this.nodeId = nodeId;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.executor = executor;
        metrics.gauge("notify.cluster.signal.lag", lagMillis::get, "unit", "ms");
        metrics.gauge("notify.cluster.signals.sent", sent::get);
        metrics.gauge("notify.cluster.signals.received", receivedCount::get);
    }

    /** Creates the engine and starts sending; before this, nothing is sent or received. */
    void start(ClusterSignalProvider provider, Receivers r, Carrier c) {
        this.receivers = r;
        this.engine = provider.create(this);
        if (engine instanceof InProcessSignals) {
            // one node: nobody to tell, so no hint is even collected (measured: collecting and packing
            // them for nobody cost ~10% of the CPU of an in-memory publish)
            silent = true;
            synchronized (lock) {
                pendingAudiences.clear();
                pendingUsers.clear();
                pendingSettings.clear();
            }
            return;
        }
        carriedPusher = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "notify-cluster-carried");
            t.setDaemon(true);
            return t;
        });
        if (engine.carriesEntries()) {
            carrier = c;
        }
        LOG.log(System.Logger.Level.INFO, "cluster signals: " + engine.describe() + (carrier != null ? ", carrying users' live entries" : "")
                + " (node " + nodeId + ")");
        Thread t = new Thread(this::sendLoop, "notify-cluster-send");
        t.setDaemon(true);
        sender = t;
        t.start();
    }

    /** Whether other nodes can be told and heard (false with the in-process engine: one node). */
    boolean connectsNodes() {
        return !silent;
    }

    /** The engine, or empty before start. */
    java.util.Optional<ClusterSignals> engine() {
        return java.util.Optional.ofNullable(engine);
    }

    /** The lag of the last signal received, in milliseconds (sent-at on the other node to now here). */
    long lagMillis() {
        return lagMillis.get();
    }

    // ---- what this node changed ------------------------------------------------------------------

    /** Whether users' entries go to the other nodes whole ({@link #entriesAppended}) rather than as {@link #logAppended}. */
    boolean carriesEntries() {
        return carrier != null && !silent;
    }

    /**
     * Entries to carry whole: each becomes a {@link ClusterSignal.LiveEntry} on the sender thread
     * (which asks the store for the audience's previous sequence), or a plain signal when too many wait.
     */
    void entriesAppended(List<dev.notify.api.EventLogEntry> entries) {
        if (silent || entries.isEmpty()) {
            return;
        }
        boolean overflow;
        synchronized (lock) {
            overflow = pendingEntries.size() + entries.size() > MAX_PENDING_ENTRIES;
            if (!overflow) {
                pendingEntries.addAll(entries);
            }
        }
        if (overflow) {
            for (dev.notify.api.EventLogEntry e : entries) {
                logAppended(e.sequence(), List.of(e.audience()));
            }
            return;
        }
        kick();
    }

    void logAppended(long sequence, List<Audience> audiences) {
        if (silent) {
            return;
        }
        synchronized (lock) {
            pendingSequence = Math.max(pendingSequence, sequence);
            if (!pendingWide) {
                pendingAudiences.addAll(audiences);
                if (audiences.isEmpty() || pendingAudiences.size() > ClusterSignal.MAX_AUDIENCES) {
                    pendingWide = true;
                    pendingAudiences.clear();
                }
            }
        }
        kick();
    }

    void deliveryDue() {
        if (silent) {
            return;
        }
        synchronized (lock) {
            pendingDue = true;
        }
        kick();
    }

    void inboxChanged(String userId) {
        if (silent) {
            return;
        }
        synchronized (lock) {
            pendingUsers.add(userId);
        }
        kick();
    }

    void settingChanged(String kind, String id) {
        if (silent) {
            return;
        }
        synchronized (lock) {
            pendingSettings.add(new ClusterSignal.SettingChanged(kind, id));
        }
        kick();
    }

    /** The first live connection of a user opened on this node. */
    void interest(Audience a) {
        ClusterSignals e = engine;
        if (e != null) {
            try {
                e.interest(a);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "cluster engine failed to register interest in " + a, ex);
            }
        }
    }

    /** The last live connection of a user closed on this node. */
    void noInterest(Audience a) {
        ClusterSignals e = engine;
        if (e != null) {
            try {
                e.noInterest(a);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "cluster engine failed to drop interest in " + a, ex);
            }
        }
    }

    private void kick() {
        Thread t = sender;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private List<ClusterSignal> drain() {
        List<dev.notify.api.EventLogEntry> entries;
        List<ClusterSignal> out = new ArrayList<>();
        synchronized (lock) {
            if (pendingEntries.isEmpty()) {
                entries = List.of();
            } else {
                entries = new ArrayList<>(pendingEntries);
                pendingEntries.clear();
            }
            if (pendingSequence >= 0) {
                out.add(new ClusterSignal.LogAppended(pendingSequence, pendingWide ? List.of() : new ArrayList<>(pendingAudiences)));
                pendingSequence = -1;
                pendingAudiences.clear();
                pendingWide = false;
            }
            if (pendingDue) {
                out.add(new ClusterSignal.DeliveryDue());
                pendingDue = false;
            }
            for (String u : pendingUsers) {
                out.add(new ClusterSignal.InboxChanged(u));
            }
            pendingUsers.clear();
            out.addAll(pendingSettings);
            pendingSettings.clear();
        }
        if (!entries.isEmpty()) {
            out.addAll(carried(entries));
        }
        return out;
    }

    /** The entries as live entries, in sequence order; one whose previous sequence the store cannot give goes as a plain signal. */
    private List<ClusterSignal> carried(List<dev.notify.api.EventLogEntry> entries) {
        entries.sort(java.util.Comparator.comparingLong(dev.notify.api.EventLogEntry::sequence));
        Carrier c = carrier;
        List<ClusterSignal> out = new ArrayList<>(entries.size());
        for (dev.notify.api.EventLogEntry e : entries) {
            long previous = -1;
            String body = null;
            try {
                previous = c.sequenceBefore(e.audience(), e.sequence());
                body = previous >= 0 ? c.write(e.notification()) : null;
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.DEBUG, "sending entry " + e.sequence() + " as a plain signal: " + ex);
            }
            out.add(body != null ? new ClusterSignal.LiveEntry(e.sequence(), previous, e.audience(), body)
                    : new ClusterSignal.LogAppended(e.sequence(), List.of(e.audience())));
        }
        return out;
    }

    private void sendLoop() {
        while (!closed) {
            List<ClusterSignal> signals = drain();
            if (signals.isEmpty()) {
                LockSupport.park(this);
                continue;
            }
            try {
                for (ClusterMessage m : ClusterMessage.pack(nodeId, clock.instant(), signals)) {
                    engine.send(m);
                    sent.incrementAndGet();
                }
            } catch (Throwable e) {
                // a hint lost: the other nodes' polls still find it
                LOG.log(System.Logger.Level.WARNING, "could not send a cluster signal; other nodes will see the change at their next poll", e);
            }
        }
    }

    // ---- what other nodes changed ------------------------------------------------------------------

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public void received(ClusterMessage message) {
        Receivers r = receivers;
        if (r == null || closed || message.origin().equals(nodeId)) {
            return;
        }
        receivedCount.incrementAndGet();
        lagMillis.set(Math.max(0, clock.millis() - message.sentAt().toEpochMilli()));
        List<ClusterSignal.LiveEntry> live = null;
        for (ClusterSignal s : message.signals()) {
            if (s instanceof ClusterSignal.LiveEntry e) {
                if (live == null) {
                    live = new ArrayList<>();
                }
                live.add(e);
            } else if (s instanceof ClusterSignal.LogAppended) {
                r.logAppended().run(); // only unparks the tailer: no need for another thread
            } else if (s instanceof ClusterSignal.DeliveryDue) {
                run(r.deliveryDue());
            } else if (s instanceof ClusterSignal.InboxChanged i) {
                run(() -> r.inboxChanged().accept(i.userId()));
            } else if (s instanceof ClusterSignal.SettingChanged c) {
                run(() -> r.settingChanged().accept(c.kind(), c.id()));
            }
        }
        if (live != null) {
            List<ClusterSignal.LiveEntry> entries = live;
            java.util.concurrent.ExecutorService pusher = carriedPusher;
            try {
                pusher.execute(() -> {
                    try {
                        r.liveEntries().accept(entries);
                    } catch (Throwable e) {
                        LOG.log(System.Logger.Level.WARNING, "could not push entries carried from another node; reading the log", e);
                        r.logAppended().run();
                    }
                });
            } catch (RejectedExecutionException | NullPointerException e) {
                r.logAppended().run(); // closing, or not started: the log has them
            }
        }
    }

    @Override
    public void resync(String reason) {
        Receivers r = receivers;
        if (r == null || closed) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "cluster signals may have been lost (" + reason + "); catching up from the store");
        metrics.count("notify.cluster.resyncs", 1);
        run(r.resync());
    }

    private void run(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (Throwable e) {
                    LOG.log(System.Logger.Level.WARNING, "could not act on a cluster signal; the next poll will", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Stops sending and closes the engine. */
    void close() {
        closed = true;
        kick();
        java.util.concurrent.ExecutorService pusher = carriedPusher;
        if (pusher != null) {
            pusher.shutdownNow();
        }
        ClusterSignals e = engine;
        if (e != null) {
            e.close();
        }
    }
}
