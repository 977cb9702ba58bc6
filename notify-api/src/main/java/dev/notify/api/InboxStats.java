package dev.notify.api;

/**
 * The counts of one user's inbox, as the SSE {@code stats} event carries them.
 *
 * @param total all notifications in the inbox
 * @param unread those not read yet
 * @param read those read
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record InboxStats(long total, long unread, long read) {

    /** Checks that the counts add up. */
    public InboxStats {
        if (total < 0 || unread < 0 || read < 0 || unread + read != total) {
            throw new IllegalArgumentException("inconsistent counts: total=" + total + " unread=" + unread + " read=" + read);
        }
    }

    /** An empty inbox. */
    public static final InboxStats EMPTY = new InboxStats(0, 0, 0);
}
