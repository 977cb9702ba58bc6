package dev.notify.api;

import java.util.Locale;

/** The state of one delivery: one (notification, channel, target). */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum DeliveryStatus {
    /** Accepted, not attempted yet (possibly scheduled for later). */
    PENDING,
    /** Delivered: the channel reported success. */
    SENT,
    /** At least one attempt failed; another is scheduled. */
    RETRYING,
    /** Failed for good (last attempt used, or a permanent failure): a dead letter, replayable. */
    FAILED,
    /** Cancelled before it was attempted, or expired. */
    CANCELLED;

    /** Whether no further attempt will be made without a replay. */
    public boolean isTerminal() {
        return this == SENT || this == FAILED || this == CANCELLED;
    }

    /** The lower-case name used on the wire, e.g. {@code "retrying"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name, ignoring case.
     *
     * @throws IllegalArgumentException when {@code name} is unknown or null
     */
    public static DeliveryStatus fromWire(String name) {
        if (name != null) {
            for (DeliveryStatus s : values()) {
                if (s.name().equalsIgnoreCase(name.trim())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown delivery status '" + name
                + "': expected one of pending, sent, retrying, failed, cancelled");
    }
}
