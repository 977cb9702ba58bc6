package dev.notify.core;

import dev.notify.api.DeliveryRecord;

/**
 * Callbacks on delivery outcomes, called on the worker thread right after the outcome is stored.
 * Keep them short; an exception thrown by a listener is logged and ignored.
 */
public interface DeliveryListener {

    /** A delivery was sent. For stream channels the record's id is 0 and the target {@code *}. */
    default void onSent(DeliveryRecord delivery) {
    }

    /** An attempt failed and another is scheduled at {@code delivery.nextAttemptAt()}. */
    default void onRetrying(DeliveryRecord delivery, String reason) {
    }

    /** A delivery failed for good: it is now a dead letter. */
    default void onFailed(DeliveryRecord delivery, String reason) {
    }
}
