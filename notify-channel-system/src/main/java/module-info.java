/**
 * The system channel: desktop notifications through the operating system's own command
 * ({@code notify-send}, {@code osascript}, PowerShell), run without a shell.
 */
module dev.notify.channel.system {
    requires dev.notify.api;

    exports dev.notify.channel.system;

    provides dev.notify.api.spi.ChannelProvider with dev.notify.channel.system.SystemChannelProvider;
}
