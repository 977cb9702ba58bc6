package dev.notify.api;

import java.util.Locale;

/** The presentation kind of a notification, as a UI shows it (colour, icon). */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum NotificationType {
    /** Neutral information; the default. */
    INFO,
    /** Something needs attention soon. */
    WARNING,
    /** Something went wrong. */
    ERROR,
    /** Something finished well. */
    SUCCESS;

    /** The lower-case name used on the wire, e.g. {@code "info"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is unknown or null
     */
    public static NotificationType fromWire(String name) {
        if (name != null) {
            for (NotificationType t : values()) {
                if (t.name().equalsIgnoreCase(name.trim())) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown notification type '" + name
                + "': expected one of info, warning, error, success");
    }
}
