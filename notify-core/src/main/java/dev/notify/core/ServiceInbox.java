package dev.notify.core;

import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Page;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.NotificationStore;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The {@link Inbox} over the store that pushes new counts to the user's live connections after every change. */
final class ServiceInbox implements Inbox {

    private final NotificationStore store;
    private final LocalSubscriberHub hub;
    private final Clock clock;
    private volatile java.util.function.Consumer<String> changed = u -> { };
    // see pushStats: 64 stripes keep publishing threads (16 in the store benchmark) apart
    private final Object[] pushLocks = new Object[64];
    // counts read and pushed off the caller's thread, coalesced per user (see pushStatsSoon)
    private final CountsPusher soon = new CountsPusher(this::pushStats);

    ServiceInbox(NotificationStore store, LocalSubscriberHub hub, Clock clock) {
        this.store = store;
        this.hub = hub;
        this.clock = clock;
        for (int i = 0; i < pushLocks.length; i++) {
            pushLocks[i] = new Object();
        }
    }

    /**
     * Like {@link #pushStats}, but the read and the push happen soon on the counts thread, coalesced
     * per user: for what changes counts in bulk or on a thread that must not wait for a store read
     * (a publish, whose HTTP answer waited for it: ~18% of a publish request's time on H2; a signal
     * from another node; the stream tailer). Nothing is noted for a user with no live connection.
     */
    void pushStatsSoon(String userId) {
        if (hub.hasSubscribers(userId)) {
            soon.accept(userId);
        }
    }

    /** Tells {@code hint} the user whose inbox a read, unread or delete changed (the cluster signal). */
    void onChanged(java.util.function.Consumer<String> hint) {
        this.changed = hint;
    }

    @Override
    public Page<InboxItem> list(InboxQuery query) {
        return store.inbox(Objects.requireNonNull(query, "query"));
    }

    @Override
    public InboxStats stats(String userId) {
        return store.stats(requireUser(userId));
    }

    @Override
    public List<InboxItem> recentUnread(String userId, int limit) {
        if (limit < 1) {
            return List.of();
        }
        return store.inbox(new InboxQuery(requireUser(userId), true, Optional.empty(), Math.min(limit, InboxQuery.MAX_LIMIT))).items();
    }

    @Override
    public int mark(String userId, Collection<String> notificationIds, boolean read) {
        int n = store.mark(requireUser(userId), requireIds(notificationIds), read, clock.instant());
        if (n > 0) {
            pushStats(userId);
            changed.accept(userId);
        }
        return n;
    }

    @Override
    public int markAllRead(String userId) {
        int n = store.markAllRead(requireUser(userId), clock.instant());
        if (n > 0) {
            pushStats(userId);
            changed.accept(userId);
        }
        return n;
    }

    @Override
    public int delete(String userId, Collection<String> notificationIds) {
        int n = store.delete(requireUser(userId), requireIds(notificationIds));
        if (n > 0) {
            pushStats(userId);
            changed.accept(userId);
        }
        return n;
    }

    /**
     * Sends the user's current counts to their live connections, if they have any. Pushes for one
     * user are read and sent one at a time (a lock per stripe of users): a publish's push that
     * read the counts just before a "mark all read" committed would otherwise reach the client
     * after that read's push, and leave the bell at 1 (seen in the browser test, on CI).
     */
    void pushStats(String userId) {
        if (hub.hasSubscribers(userId)) {
            synchronized (pushLocks[(userId.hashCode() & 0x7fffffff) % pushLocks.length]) {
                hub.signal(userId, new HubSignal.StatsChanged(store.stats(userId)));
            }
        }
    }

    private static String requireUser(String userId) {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("a user id is required");
        }
        return userId;
    }

    private static Collection<String> requireIds(Collection<String> ids) {
        if (ids == null) {
            throw new IllegalArgumentException("notification ids must not be null");
        }
        for (String id : ids) {
            if (id == null) {
                throw new IllegalArgumentException("notification ids must not contain null");
            }
        }
        return ids;
    }
}
