package dev.notify.core.memory;

import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The users' inboxes: pages, counts, read marks and deletions, each scoped to one user.
 *
 * <p>Owns one {@link UserInbox} per user who has one, each guarded by its own monitor. It reads
 * the notification table (through the lookup it is given) to find an id's place in an inbox, and
 * calls no other area: {@link Publisher} adds to inboxes and removes pruned notifications.
 */
final class Inboxes {

    private final ConcurrentHashMap<String, UserInbox> inboxes = new ConcurrentHashMap<>();
    private final Function<String, Notification> notificationById;

    /** Inboxes that find a notification by id, or null, with {@code notificationById}. */
    Inboxes(Function<String, Notification> notificationById) {
        this.notificationById = notificationById;
    }

    /**
     * Adds the notification to the user's inbox, creating the inbox if need be; it replaces the
     * item of the same collapse key (see {@link UserInbox#add}).
     */
    void add(String user, Notification notification, boolean collapseMarksUnread) {
        while (true) {
            UserInbox box = inboxes.get(user);
            if (box == null) {
                box = inboxes.computeIfAbsent(user, u -> new UserInbox());
            }
            if (box.add(notification, collapseMarksUnread)) {
                return;
            }
            // a prune emptied and dropped this inbox meanwhile: add to a fresh one
            inboxes.remove(user, box);
        }
    }

    /** Removes a pruned notification from every recipient's inbox, and the inboxes it leaves empty. */
    void removeEverywhere(Notification n) {
        for (String user : n.recipients()) {
            inboxes.computeIfPresent(user, (u, inbox) -> inbox.deleteOne(n) ? null : inbox);
        }
    }

    Page<InboxItem> inbox(InboxQuery query) {
        Objects.requireNonNull(query, "query");
        UserInbox inbox = inboxes.get(query.userId());
        if (inbox == null) {
            return new Page<>(List.of(), Optional.empty());
        }
        return inbox.page(query);
    }

    InboxStats stats(String userId) {
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? InboxStats.EMPTY : inbox.stats();
    }

    int mark(String userId, Collection<String> notificationIds, boolean read, Instant now) {
        Objects.requireNonNull(notificationIds, "notificationIds");
        Objects.requireNonNull(now, "now");
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? 0 : inbox.mark(notificationIds, read, now, notificationById);
    }

    int markAllRead(String userId, Instant now) {
        Objects.requireNonNull(now, "now");
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? 0 : inbox.markAllRead(now);
    }

    int delete(String userId, Collection<String> notificationIds) {
        Objects.requireNonNull(notificationIds, "notificationIds");
        UserInbox inbox = userId == null ? null : inboxes.get(userId);
        return inbox == null ? 0 : inbox.delete(notificationIds, notificationById);
    }
}
