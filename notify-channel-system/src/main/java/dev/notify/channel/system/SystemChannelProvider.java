package dev.notify.channel.system;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.channel.system.internal.ProcessCommandRunner;
import dev.notify.channel.system.internal.SystemChannel;
import dev.notify.channel.system.internal.SystemSettings;

import java.util.Objects;

/**
 * Provides the {@code system} push channel: a desktop notification on the machine Notify runs on,
 * through {@code notify-send} (Linux), {@code osascript} (macOS) or a PowerShell toast (Windows),
 * chosen by {@code os.name} or by {@code channels.system.command}. It carries notifications for the
 * recipients listed in {@code channels.system.users} ({@code *} for every recipient); with no users
 * configured, the default, it carries nothing, so a headless server that bundles it is unaffected.
 * The README of this module lists every configuration key.
 */
public final class SystemChannelProvider implements ChannelProvider {

    /** The channel name. */
    public static final String NAME = "system";

    private final CommandRunner runner;

    /** Needed by {@link java.util.ServiceLoader}; runs commands with {@link ProcessBuilder}. */
    public SystemChannelProvider() {
        this(new ProcessCommandRunner());
    }

    private SystemChannelProvider(CommandRunner runner) {
        this.runner = runner;
    }

    /** A provider whose channel runs commands with {@code runner} (tests, or a host with its own sandbox). */
    public static SystemChannelProvider withRunner(CommandRunner runner) {
        return new SystemChannelProvider(Objects.requireNonNull(runner, "runner"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new SystemChannel(context, SystemSettings.from(context.config(), System.getProperty("os.name", "")), runner);
    }
}
