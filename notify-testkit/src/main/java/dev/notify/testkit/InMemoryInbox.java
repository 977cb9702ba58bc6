package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.SubscriberHub;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Inbox} in memory, for channels that show counts, recent items or mark items read: the
 * test {@linkplain #add(String, Notification, boolean) puts notifications} in a user's inbox; the
 * inbox answers as the store does (newest first, an unread filter, cursor paging, counts, mark
 * read/unread/all, delete, everything scoped to its owner, so another user's ids change nothing).
 * With {@link #signalStatsTo(SubscriberHub)} every change also pushes a
 * {@link HubSignal.StatsChanged} to the user's live subscriptions, as the engine does.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class InMemoryInbox implements Inbox {

    private final Map<String, LinkedHashMap<String, InboxItem>> byUser = new LinkedHashMap<>();
    private final Clock clock;
    private volatile SubscriberHub hub;

    /** An empty inbox stamping read times with the system clock. */
    public InMemoryInbox() {
        this(Clock.systemUTC());
    }

    /** An empty inbox stamping read times with {@code clock}. */
    public InMemoryInbox(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** After every change, signal the user's new counts through {@code hub} ({@code null}: stop). Returns this inbox. */
    public InMemoryInbox signalStatsTo(SubscriberHub hub) {
        this.hub = hub;
        return this;
    }

    /** Puts a notification in a user's inbox, newest so far, unread. Returns this inbox. */
    public InMemoryInbox add(String userId, Notification notification) {
        return add(userId, notification, false);
    }

    /** Puts a notification in a user's inbox, newest so far, read or unread. Returns this inbox. */
    public synchronized InMemoryInbox add(String userId, Notification notification, boolean read) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(notification, "notification");
        byUser.computeIfAbsent(userId, u -> new LinkedHashMap<>()).put(notification.id(),
                new InboxItem(userId, notification, read, read ? Optional.of(clock.instant()) : Optional.empty()));
        return this;
    }

    @Override
    public synchronized Page<InboxItem> list(InboxQuery query) {
        List<InboxItem> newestFirst = newestFirst(query.userId(), query.unreadOnly());
        int from = 0;
        if (query.cursor().isPresent()) {
            String after = query.cursor().get();
            from = newestFirst.size();
            for (int i = 0; i < newestFirst.size(); i++) {
                if (newestFirst.get(i).notification().id().equals(after)) {
                    from = i + 1;
                    break;
                }
            }
        }
        int to = Math.min(newestFirst.size(), from + query.limit());
        List<InboxItem> page = List.copyOf(newestFirst.subList(from, to));
        Optional<String> next = to < newestFirst.size() && !page.isEmpty()
                ? Optional.of(page.get(page.size() - 1).notification().id()) : Optional.empty();
        return new Page<>(page, next);
    }

    @Override
    public synchronized InboxStats stats(String userId) {
        long total = 0;
        long read = 0;
        for (InboxItem i : items(userId).values()) {
            total++;
            if (i.read()) {
                read++;
            }
        }
        return new InboxStats(total, total - read, read);
    }

    @Override
    public synchronized List<InboxItem> recentUnread(String userId, int limit) {
        List<InboxItem> unread = newestFirst(userId, true);
        return List.copyOf(unread.subList(0, Math.min(limit, unread.size())));
    }

    @Override
    public int mark(String userId, Collection<String> notificationIds, boolean read) {
        int changed;
        synchronized (this) {
            changed = 0;
            Map<String, InboxItem> items = items(userId);
            for (String id : notificationIds) {
                InboxItem i = items.get(id);
                if (i != null && i.read() != read) {
                    items.put(id, new InboxItem(userId, i.notification(), read, read ? Optional.of(clock.instant()) : Optional.empty()));
                    changed++;
                }
            }
        }
        return signalled(userId, changed);
    }

    @Override
    public int markAllRead(String userId) {
        List<String> ids;
        synchronized (this) {
            ids = new ArrayList<>(items(userId).keySet());
        }
        return mark(userId, ids, true);
    }

    @Override
    public int delete(String userId, Collection<String> notificationIds) {
        int removed = 0;
        synchronized (this) {
            Map<String, InboxItem> items = items(userId);
            for (String id : notificationIds) {
                if (items.remove(id) != null) {
                    removed++;
                }
            }
        }
        return signalled(userId, removed);
    }

    private int signalled(String userId, int changed) {
        SubscriberHub h = hub;
        if (changed > 0 && h != null) {
            h.signal(userId, new HubSignal.StatsChanged(stats(userId)));
        }
        return changed;
    }

    private Map<String, InboxItem> items(String userId) {
        Map<String, InboxItem> items = byUser.get(userId);
        return items != null ? items : new LinkedHashMap<>();
    }

    private List<InboxItem> newestFirst(String userId, boolean unreadOnly) {
        List<InboxItem> out = new ArrayList<>();
        for (InboxItem i : items(userId).values()) {
            if (!unreadOnly || !i.read()) {
                out.add(0, i);
            }
        }
        return out;
    }

}
