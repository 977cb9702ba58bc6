package dev.notify.core;

import java.time.Duration;
import java.util.List;

/**
 * What {@link NotificationService#close(Duration)} managed to finish.
 *
 * @param delivered deliveries completed (any outcome) while draining
 * @param unfinished descriptions of deliveries still queued or in flight at the deadline; stored
 *        ones were handed back to the store and are delivered after a restart or by another node
 * @param took how long the shutdown took
 */
public record ShutdownReport(long delivered, List<String> unfinished, Duration took) {

    /** Copies the list. */
    public ShutdownReport {
        unfinished = List.copyOf(unfinished);
    }

    /** Whether everything queued was delivered before the deadline. */
    public boolean clean() {
        return unfinished.isEmpty();
    }
}
