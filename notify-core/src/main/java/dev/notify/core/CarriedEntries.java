package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.spi.ClusterSignal;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes the live entries other nodes carried here whole ({@link ClusterSignal.LiveEntry}, sent
 * through an engine that carries entries, such as Redis with {@code cluster.redis.payloads}), so a
 * client on this node gets another node's event without this node reading the log; and reads the
 * log instead whenever that could lose an event or reorder one.
 *
 * <p><b>Why a carried entry is safe to push.</b> A stream connection hands its client entries in
 * sequence order and drops any at or below the newest it sent (its replay/live hand-over and
 * {@code ConnectionState.isNews}); so an entry pushed early is fine, one pushed before a lower one
 * of the same connection loses the lower one. The log's sequences are global, while a node hears
 * only its users' channels, so the sequence alone cannot tell "an entry for someone else" from "a
 * lost entry". Each carried entry therefore names {@code previous}, the sequence of the same user's
 * newest entry below it, which the sender asked the store for after the commit (appends are
 * serialised, so nothing below commits later). This node keeps, per user, how far that user's
 * entries are known pushed: {@code through = max(the tailer's position, the newest carried entry
 * pushed for the user)}. A carried entry is pushed when
 * <ul>
 *   <li>{@code previous <= through}: every entry of the user before it went out already, whether
 *       the tailer read it or it was carried (a lost message, one that overtook another, one this
 *       node's subscription was too late for, or an entry sent as a plain signal all leave
 *       {@code previous} above {@code through}: a gap, so the tailer reads the log);</li>
 *   <li>no connection of the user here holds a topic: a connection with topics also gets topic
 *       entries, carried on other channels (or not at all), and only the log orders the two;</li>
 *   <li>it is not scheduled for later and its text reads back (else the log).</li>
 * </ul>
 * One at or below {@code through} went out already and is dropped. Nobody of the user connected
 * here: nothing to push (a connection opening now replays from the log, which holds the entry).
 * Pushes run on one thread, in arrival order. The tailer still reads the log at its poll interval
 * (and when woken), but leaves out each user's entries up to the newest carried one, and it pushes
 * each notification under the same lock as this class checks and pushes an entry: so neither path
 * pushes what the other did. That matters for a connection still replaying, which holds live
 * entries and releases them in arrival order once the replay is done: a tailer behind the carried
 * entries would otherwise hand it an older entry after a newer one. Only user entries are carried
 * ({@code ClusterLink}); topic entries are always signalled.
 *
 * <p>Counted as {@code notify.cluster.payloads.used} and {@code notify.cluster.payloads.fallbacks}.
 */
final class CarriedEntries {

    private static final System.Logger LOG = System.getLogger(CarriedEntries.class.getName());

    private final StreamTailer tailer;
    private final LocalSubscriberHub hub;
    private final NotificationJson json;
    private final Clock clock;
    // per user served here: the newest carried entry pushed
    private final Map<String, Long> carriedThrough = new ConcurrentHashMap<>();
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();

    CarriedEntries(StreamTailer tailer, LocalSubscriberHub hub, NotificationJson json, Clock clock, dev.notify.api.spi.Metrics metrics) {
        this.tailer = tailer;
        this.hub = hub;
        this.json = json;
        this.clock = clock;
        metrics.gauge("notify.cluster.payloads.used", used::get);
        metrics.gauge("notify.cluster.payloads.fallbacks", fallbacks::get);
        tailer.skipCarried(user -> carriedThrough.getOrDefault(user, 0L));
    }

    /** Pushes what can be pushed; wakes the tailer (a read of the log) when any could not. */
    void accept(List<ClusterSignal.LiveEntry> entries) {
        boolean readLog = false;
        for (ClusterSignal.LiveEntry e : entries) {
            if (push(e)) {
                used.incrementAndGet();
            } else {
                fallbacks.incrementAndGet();
                readLog = true;
            }
        }
        if (readLog) {
            tailer.wake();
        }
    }

    /** The last connection of the user closed here: what was pushed for it no longer matters. */
    void forget(Audience a) {
        if (a instanceof Audience.User u) {
            carriedThrough.remove(u.userId());
        }
    }

    private boolean push(ClusterSignal.LiveEntry e) {
        if (!(e.audience() instanceof Audience.User u)) {
            return false;
        }
        synchronized (tailer.pushLock()) {
            return push(e, u.userId());
        }
    }

    private boolean push(ClusterSignal.LiveEntry e, String user) {
        long through = Math.max(tailer.position(), carriedThrough.getOrDefault(user, 0L));
        if (e.sequence() <= through || !hub.hasSubscribers(user)) {
            return true;
        }
        if (e.previous() > through || hub.holdsTopics(user)) {
            return false;
        }
        Notification n;
        try {
            n = json.read(e.body());
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.DEBUG, () -> "carried entry " + e.sequence() + " does not read back (" + ex + "); reading the log");
            return false;
        }
        if (n.scheduledAt().filter(clock.instant()::isBefore).isPresent()) {
            return false;
        }
        tailer.pushCarried(n, new EventLogEntry(e.sequence(), e.audience(), n));
        carriedThrough.merge(user, e.sequence(), Math::max);
        return true;
    }
}
