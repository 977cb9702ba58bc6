package dev.notify.channel.system;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.Delivery;
import dev.notify.channel.system.internal.ProcessCommandRunner;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real {@code notify-send} against a private session bus with a real notification
 * daemon: {@code Xvfb} (a display for the daemon), {@code dbus-daemon --session} and {@code dunst}.
 * On Debian: {@code apt-get install libnotify-bin dbus xvfb dunst}. Skips, saying which program is
 * missing, when they are not installed.
 */
@DisplayName("notify-send against a real notification daemon")
class NotifySendIntegrationTest {

    private static final List<Process> started = new ArrayList<>();
    private static String busAddress;

    @BeforeAll
    static void startDesktop() throws Exception {
        assumeTrue(File.separatorChar == '/', "skipped: notify-send runs on Linux/BSD desktops only");
        for (String program : List.of("notify-send", "dbus-daemon", "Xvfb", "dunst")) {
            assumeTrue(onPath(program), "skipped: '" + program + "' is not installed (Debian: apt-get install libnotify-bin dbus xvfb dunst)");
        }
        int display = 90 + (int) (ProcessHandle.current().pid() % 100);
        Process xvfb = new ProcessBuilder("Xvfb", ":" + display, "-screen", "0", "640x480x24", "-nolisten", "tcp")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(xvfb);
        Process dbus = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--print-address=1")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(dbus);
        BufferedReader out = new BufferedReader(new InputStreamReader(dbus.getInputStream(), StandardCharsets.UTF_8));
        busAddress = out.readLine();
        assumeTrue(busAddress != null && busAddress.startsWith("unix:"), "skipped: dbus-daemon printed no bus address");
        ProcessBuilder dunst = new ProcessBuilder("dunst").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        dunst.environment().put("DISPLAY", ":" + display);
        dunst.environment().put("DBUS_SESSION_BUS_ADDRESS", busAddress);
        dunst.environment().put("HOME", Files.createTempDirectory("notify-dunst").toString()); // no user dunstrc
        started.add(dunst.start());
        assumeTrue(waitForDaemon(Duration.ofSeconds(10)), "skipped: no notification daemon owned org.freedesktop.Notifications within 10 s");
    }

    @AfterAll
    static void stopDesktop() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).destroy();
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean waitForDaemon(Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            ProcessBuilder pb = new ProcessBuilder("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications");
            pb.environment().put("DBUS_SESSION_BUS_ADDRESS", busAddress);
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            if (reply.contains("boolean true")) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The real process runner, pointed at the private bus instead of the user's. */
    private static CommandRunner onPrivateBus(String address) {
        ProcessCommandRunner real = new ProcessCommandRunner();
        return (command, env, timeout) -> {
            Map<String, String> e = new HashMap<>(env);
            e.put("DBUS_SESSION_BUS_ADDRESS", address);
            return real.run(command, e, timeout);
        };
    }

    private static Channel channel(String address) {
        TestChannelContext ctx = TestChannelContext.builder("system")
                .config(Map.of("users", "*", "command", "notify-send", "timeout", "10s")).build();
        return SystemChannelProvider.withRunner(onPrivateBus(address)).create(ctx);
    }

    private static Delivery delivery(String title) {
        Notification n = Notification.builder().recipient("u1").title(title).body("from NotifySendIntegrationTest")
                .priority(Priority.CRITICAL).build();
        return new Delivery("1", n, "system", "u1", 1, List.of());
    }

    @Test
    @DisplayName("the daemon accepts the notification, hostile title and all")
    void showsANotification() {
        DeliveryResult r = channel(busAddress).deliver(delivery("\"; rm -rf ~ --urgency=low"));
        assertThat(r.isSent()).as(r.toString()).isTrue();
    }

    @Test
    @DisplayName("without a daemon on the bus, the delivery fails with notify-send's stderr")
    void failsWithStderrWithoutADaemon() throws IOException {
        Process lonely = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--print-address=1")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String address = new BufferedReader(new InputStreamReader(lonely.getInputStream(), StandardCharsets.UTF_8)).readLine();
            DeliveryResult r = channel(address).deliver(delivery("nobody listens"));
            assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
            assertThat(r.reason()).contains("notify-send exited with");
            assertThat(r.reason().length()).isGreaterThan("notify-send exited with 1: ".length());
        } finally {
            lonely.destroy();
        }
    }
}
