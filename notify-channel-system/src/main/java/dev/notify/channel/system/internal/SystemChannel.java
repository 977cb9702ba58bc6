package dev.notify.channel.system.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.channel.system.CommandRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Shows a notification on this machine's desktop by running the platform's command without a
 * shell: every piece of the notification is one argument (or, for PowerShell, an environment
 * variable read by a fixed script), never part of a command line that something parses.
 */
public final class SystemChannel implements Channel {

    private static final int MAX_TEXT = 1000;
    /** Reads title and body from the environment, so no text of the notification is ever PowerShell code. */
    private static final String TOAST_SCRIPT = String.join("\n",
            "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] | Out-Null",
            "[Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime] | Out-Null",
            "$t = [System.Security.SecurityElement]::Escape($env:NOTIFY_TITLE)",
            "$b = [System.Security.SecurityElement]::Escape($env:NOTIFY_BODY)",
            "$x = New-Object Windows.Data.Xml.Dom.XmlDocument",
            "$x.LoadXml(\"<toast><visual><binding template='ToastGeneric'><text>$t</text><text>$b</text></binding></visual></toast>\")",
            "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($env:NOTIFY_APP).Show([Windows.UI.Notifications.ToastNotification]::new($x))");

    private final String name;
    private final SystemSettings settings;
    private final CommandRunner runner;
    private final System.Logger log;

    /** A channel running commands with {@code runner}. */
    public SystemChannel(ChannelContext context, SystemSettings settings, CommandRunner runner) {
        this.name = context.channelName();
        this.settings = settings;
        this.runner = runner;
        this.log = context.logger();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    /** Only the configured users' notifications show on this desktop. */
    @Override
    public boolean supports(String target) {
        return settings.users().contains("*") || settings.users().contains(target);
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        Notification n = delivery.notification();
        String title = clip(n.title().isEmpty() ? n.event() : n.title());
        String body = clip(n.body());
        List<String> command = command(title, body, n.priority());
        Map<String, String> env = settings.flavour() == SystemSettings.Flavour.POWERSHELL
                ? Map.of("NOTIFY_TITLE", title, "NOTIFY_BODY", body, "NOTIFY_APP", settings.appName())
                : Map.of();
        CommandRunner.Result r;
        try {
            r = runner.run(command, env, settings.timeout());
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "cannot run " + command.get(0) + ": " + e.getMessage());
            return DeliveryResult.failed("cannot run " + command.get(0) + " (is it installed?): " + e.getMessage());
        } catch (RuntimeException e) {
            return DeliveryResult.retryLater("running " + command.get(0) + " failed: " + e);
        }
        if (r.timedOut()) {
            return DeliveryResult.retryLater(command.get(0) + " did not finish within " + settings.timeout()
                    + (r.stderr().isEmpty() ? "" : ": " + r.stderr()));
        }
        if (r.exitCode() != 0) {
            return DeliveryResult.retryLater(command.get(0) + " exited with " + r.exitCode()
                    + (r.stderr().isEmpty() ? "" : ": " + r.stderr())).withStatusCode(r.exitCode());
        }
        return DeliveryResult.sent();
    }

    /** The argument list for this notification. */
    public List<String> command(String title, String body, Priority priority) {
        List<String> c = new ArrayList<>();
        switch (settings.flavour()) {
            case NOTIFY_SEND -> {
                c.add("notify-send");
                c.add("--urgency=" + urgency(priority));
                c.add("--app-name=" + settings.appName());
                if (!settings.expireTime().isZero()) {
                    c.add("--expire-time=" + settings.expireTime().toMillis());
                }
                c.add("--"); // a title starting with '-' is text, not an option
                c.add(title);
                if (!body.isEmpty()) {
                    c.add(body);
                }
            }
            case OSASCRIPT -> {
                // the text arrives as argv of the script, never inside AppleScript source
                c.addAll(List.of("osascript", "-e", "on run argv", "-e",
                        "display notification (item 2 of argv) with title (item 1 of argv)", "-e", "end run", "--", title, body));
            }
            case POWERSHELL -> {
                String encoded = Base64.getEncoder().encodeToString(TOAST_SCRIPT.getBytes(StandardCharsets.UTF_16LE));
                c.addAll(List.of("powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
                        "-EncodedCommand", encoded));
            }
            default -> {
                for (String part : settings.customCommand()) {
                    c.add(switch (part) {
                        case "{title}" -> title;
                        case "{body}" -> body;
                        case "{urgency}" -> urgency(priority);
                        case "{app}" -> settings.appName();
                        default -> part;
                    });
                }
            }
        }
        return c;
    }

    /** notify-send's urgency: low, normal (normal and high) or critical. */
    static String urgency(Priority p) {
        return switch (p) {
            case LOW -> "low";
            case CRITICAL -> "critical";
            default -> "normal";
        };
    }

    private static String clip(String s) {
        String clean = s.replace('\0', ' ');
        return clean.length() > MAX_TEXT ? clean.substring(0, MAX_TEXT - 1) + "…" : clean;
    }
}
