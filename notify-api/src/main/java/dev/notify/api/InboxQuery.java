package dev.notify.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A page request on one user's inbox, newest first.
 *
 * @param userId the inbox owner
 * @param unreadOnly only unread notifications
 * @param cursor the {@link Page#nextCursor()} of the previous page, or empty for the first
 * @param limit page size, 1 to {@value #MAX_LIMIT}
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record InboxQuery(String userId, boolean unreadOnly, Optional<String> cursor, int limit) {

    /** Largest page. */
    public static final int MAX_LIMIT = 200;

    /** Validates the components. */
    public InboxQuery {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    /** The first page of a user's inbox, 20 items, read and unread. */
    public static InboxQuery firstPage(String userId) {
        return new InboxQuery(userId, false, Optional.empty(), 20);
    }
}
