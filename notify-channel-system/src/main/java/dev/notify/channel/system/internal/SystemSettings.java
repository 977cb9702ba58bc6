package dev.notify.channel.system.internal;

import dev.notify.api.spi.Config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The channel's configuration ({@code channels.system.*}).
 *
 * @param flavour which command family builds the argument list
 * @param customCommand for {@link Flavour#CUSTOM}: the program and its arguments, with
 *        {@code {title}}, {@code {body}}, {@code {urgency}} and {@code {app}} placeholders
 * @param users {@code users}: recipients whose notifications show on this desktop ({@code *} = all)
 * @param appName {@code app-name} (Notify)
 * @param timeout {@code timeout} (10s): how long the command may run
 * @param expireTime {@code expire-time}: how long the notification stays up (notify-send only; daemon default when unset)
 */
public record SystemSettings(Flavour flavour, List<String> customCommand, Set<String> users, String appName,
                             Duration timeout, Duration expireTime) {

    /** The command families. */
    public enum Flavour {
        /** {@code notify-send} (libnotify), Linux and BSD desktops. */
        NOTIFY_SEND,
        /** {@code osascript} (macOS). */
        OSASCRIPT,
        /** A PowerShell toast (Windows 10+). */
        POWERSHELL,
        /** A configured command line. */
        CUSTOM
    }

    /**
     * Reads the node; the flavour follows {@code osName} unless {@code command} says otherwise.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public static SystemSettings from(Config c, String osName) {
        String command = c.get("command", "").trim();
        Flavour flavour;
        List<String> custom = List.of();
        switch (command) {
            case "" -> flavour = byOs(osName);
            case "notify-send" -> flavour = Flavour.NOTIFY_SEND;
            case "osascript" -> flavour = Flavour.OSASCRIPT;
            case "powershell" -> flavour = Flavour.POWERSHELL;
            default -> {
                flavour = Flavour.CUSTOM;
                custom = List.of(command.split("\\s+"));
                if (!custom.contains("{title}") && !custom.contains("{body}")) {
                    throw new IllegalArgumentException("channels.system.command = '" + command + "' is neither notify-send,"
                            + " osascript nor powershell, and as a custom command it needs a {title} or {body} argument");
                }
            }
        }
        Duration timeout = c.getDuration("timeout", Duration.ofSeconds(10));
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("channels.system.timeout must be positive");
        }
        return new SystemSettings(flavour, custom, Set.copyOf(c.getList("users")), c.get("app-name", "Notify"), timeout,
                c.getDuration("expire-time", Duration.ZERO));
    }

    static Flavour byOs(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return Flavour.POWERSHELL;
        }
        if (os.startsWith("mac") || os.contains("darwin")) {
            return Flavour.OSASCRIPT;
        }
        return Flavour.NOTIFY_SEND;
    }
}
