package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Page;

import java.util.Collection;
import java.util.List;

/**
 * Users' persistent inboxes. Every change is pushed as {@link HubSignal.StatsChanged} to every
 * live connection of the user. Every operation is scoped to its user: an id of another user's
 * notification behaves as if it did not exist (it is not counted and not changed).
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Inbox {

    /** A page of the user's inbox, newest first. */
    Page<InboxItem> list(InboxQuery query);

    /** The user's counts. */
    InboxStats stats(String userId);

    /** The user's newest unread notifications, at most {@code limit}. */
    List<InboxItem> recentUnread(String userId, int limit);

    /**
     * Marks these notifications read (or unread).
     *
     * @return how many of them changed state
     */
    int mark(String userId, Collection<String> notificationIds, boolean read);

    /** Marks every notification of the user read; returns how many changed. */
    int markAllRead(String userId);

    /** Deletes these notifications from the user's inbox; returns how many were deleted. */
    int delete(String userId, Collection<String> notificationIds);
}
