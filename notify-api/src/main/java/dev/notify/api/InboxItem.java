package dev.notify.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A notification in one user's inbox, with its read state.
 *
 * @param userId the inbox owner
 * @param notification the notification
 * @param read whether the user has read it
 * @param readAt when it was marked read
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record InboxItem(String userId, Notification notification, boolean read, Optional<Instant> readAt) {

    /** Validates the components. */
    public InboxItem {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(notification, "notification");
        Objects.requireNonNull(readAt, "readAt");
    }
}
