package dev.notify.core;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.StoreException;

import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Releases the live events that users' quiet hours held. The {@link Publisher} leaves a held user's
 * audience out of the event log and stores instead a delivery of this channel ({@value #NAME}) to
 * the user, due when the quiet hours end and recorded with the reason; the tracker claims it then
 * like any push delivery (once per cluster, on whichever node is free, retried when the store
 * fails), and its one attempt appends the user's event-log entry. A new entry, rather than an old
 * one held back, keeps cursors right: every stream of the user receives it after what it saw during
 * the quiet hours, a client that resumes with its cursor or connects fresh replays it, and no client
 * finds it in the log before the end. The tailers of every node push it, this node's woken here and
 * the others' by the cluster signal.
 *
 * <p>Internal to the engine: registered by it, never a publish's target. Calls the store, the
 * cluster link and the tailer.
 */
final class HeldLiveEvents implements Channel {

    /**
     * The channel's name in delivery records: the {@linkplain Preferences#LIVE live} kind, held. No
     * plugin can take it (a channel name has no colon), so no plugin is refused for it.
     */
    static final String NAME = Preferences.LIVE + ":held";

    private final NotificationStore store;
    private final Clock clock;
    private final ClusterLink cluster;
    private final StreamTailer tailer;

    HeldLiveEvents(NotificationStore store, Clock clock, ClusterLink cluster, StreamTailer tailer) {
        this.store = store;
        this.clock = clock;
        this.cluster = cluster;
        this.tailer = tailer;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    @Override
    public Set<String> targets(Notification notification) {
        return Set.of(); // only the planner makes these deliveries, for users in their quiet hours
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        List<Audience> user = List.of(Audience.user(delivery.target()));
        List<EventLogEntry> appended;
        try {
            appended = store.appendEvents(delivery.notification().id(), user, clock.instant());
        } catch (UnsupportedOperationException e) {
            return DeliveryResult.failed(e.getMessage() + "; the inbox keeps the notification");
        } catch (StoreException e) {
            return DeliveryResult.retryLater("could not append the held live event: " + e.getMessage());
        }
        if (!appended.isEmpty()) {
            cluster.logAppended(appended.get(appended.size() - 1).sequence(), user);
            tailer.wake();
        }
        return DeliveryResult.sent();
    }
}
