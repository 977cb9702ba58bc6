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
     * @param resync signals may have been lost: catch up on everything
     */
    record Receivers(Runnable logAppended, Runnable deliveryDue, java.util.function.Consumer<String> inboxChanged, Runnable resync) {
    }

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
    void start(ClusterSignalProvider provider, Receivers r) {
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
        LOG.log(System.Logger.Level.INFO, "cluster signals: " + engine.describe() + " (node " + nodeId + ")");
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
        synchronized (lock) {
            List<ClusterSignal> out = new ArrayList<>();
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
            return out;
        }
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
        for (ClusterSignal s : message.signals()) {
            if (s instanceof ClusterSignal.LogAppended) {
                r.logAppended().run(); // only unparks the tailer: no need for another thread
            } else if (s instanceof ClusterSignal.DeliveryDue) {
                run(r.deliveryDue());
            } else if (s instanceof ClusterSignal.InboxChanged i) {
                run(() -> r.inboxChanged().accept(i.userId()));
            }
            // SettingChanged: nothing of this node caches a setting yet; a channel that does will listen
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
        ClusterSignals e = engine;
        if (e != null) {
            e.close();
        }
    }
}
