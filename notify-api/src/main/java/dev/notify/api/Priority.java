package dev.notify.api;

import java.util.Locale;

/**
 * Delivery priority. Workers take {@link #CRITICAL} before {@link #HIGH} before {@link #NORMAL}
 * before {@link #LOW}, first-in first-out inside one level.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum Priority {
    /** Delivered when nothing more urgent waits. */
    LOW,
    /** The default. */
    NORMAL,
    /** Ahead of normal traffic. */
    HIGH,
    /** Ahead of everything else. */
    CRITICAL;

    /** The lower-case name used on the wire, e.g. {@code "high"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is unknown or null
     */
    public static Priority fromWire(String name) {
        if (name != null) {
            for (Priority p : values()) {
                if (p.name().equalsIgnoreCase(name.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown priority '" + name
                + "': expected one of low, normal, high, critical");
    }
}
