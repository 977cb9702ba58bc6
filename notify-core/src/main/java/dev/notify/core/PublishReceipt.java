package dev.notify.core;

import java.util.Objects;

/**
 * What a publish returns once the store committed it.
 *
 * @param id the notification id (for a duplicate, the first notification's id)
 * @param duplicate true when the idempotency key had been used already and nothing new was stored
 */
public record PublishReceipt(String id, boolean duplicate) {

    /** Validates the id. */
    public PublishReceipt {
        Objects.requireNonNull(id, "id");
    }
}
