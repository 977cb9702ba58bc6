package dev.notify.channel.system;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.Delivery;
import dev.notify.channel.system.internal.ProcessCommandRunner;
import dev.notify.testkit.TestChannelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SystemChannelTest {

    private final FakeRunner runner = new FakeRunner();
    private final List<TestChannelContext> contexts = new ArrayList<>();

    @AfterEach
    void close() {
        contexts.forEach(TestChannelContext::close);
    }

    private Channel channel(Map<String, String> config) {
        Map<String, String> c = new HashMap<>(Map.of("users", "u1", "command", "notify-send"));
        c.putAll(config);
        TestChannelContext ctx = TestChannelContext.builder("system").config(c).build();
        contexts.add(ctx);
        return SystemChannelProvider.withRunner(runner).create(ctx);
    }

    private static Delivery delivery(String title, String body, Priority priority) {
        Notification n = Notification.builder().recipient("u1").title(title).body(body).priority(priority).build();
        return new Delivery("1", n, "system", "u1", 1, List.of());
    }

    @Test
    @DisplayName("notify-send gets the urgency from the priority and the text as separate arguments after --")
    void notifySendArguments() {
        DeliveryResult r = channel(Map.of()).deliver(delivery("Build done", "All green", Priority.CRITICAL));
        assertThat(r.isSent()).isTrue();
        assertThat(runner.calls.get(0).command()).containsExactly("notify-send", "--urgency=critical", "--app-name=Notify", "--",
                "Build done", "All green");
        channel(Map.of()).deliver(delivery("t", "b", Priority.LOW));
        channel(Map.of()).deliver(delivery("t", "b", Priority.HIGH));
        assertThat(runner.calls.get(1).command()).contains("--urgency=low");
        assertThat(runner.calls.get(2).command()).contains("--urgency=normal");
    }

    @Test
    @DisplayName("a title like '\"; rm -rf ~' or '--help' is one argument of text, never shell or an option")
    void hostileTextIsJustText() {
        channel(Map.of()).deliver(delivery("\"; rm -rf ~", "$(reboot) `id` | cat /etc/passwd", Priority.NORMAL));
        channel(Map.of()).deliver(delivery("--help", "-u critical", Priority.NORMAL));
        assertThat(runner.calls.get(0).command()).endsWith("--", "\"; rm -rf ~", "$(reboot) `id` | cat /etc/passwd");
        List<String> second = runner.calls.get(1).command();
        assertThat(second.indexOf("--help")).isGreaterThan(second.indexOf("--"));
    }

    @Test
    @DisplayName("osascript receives the text as argv of a fixed script, never inside AppleScript source")
    void osascriptArguments() {
        channel(Map.of("command", "osascript")).deliver(delivery("say \"hi\"", "body", Priority.NORMAL));
        List<String> c = runner.calls.get(0).command();
        assertThat(c.get(0)).isEqualTo("osascript");
        assertThat(c).endsWith("--", "say \"hi\"", "body");
        assertThat(String.join(" ", c.subList(0, c.size() - 2))).doesNotContain("say \"hi\"");
    }

    @Test
    @DisplayName("PowerShell runs a fixed encoded script; the text travels in environment variables")
    void powershellUsesTheEnvironment() {
        channel(Map.of("command", "powershell")).deliver(delivery("'; Remove-Item C:\\ -Recurse #", "b", Priority.NORMAL));
        FakeRunner.Call call = runner.calls.get(0);
        assertThat(call.command()).contains("-EncodedCommand").noneMatch(a -> a.contains("Remove-Item"));
        assertThat(call.environment()).containsEntry("NOTIFY_TITLE", "'; Remove-Item C:\\ -Recurse #");
    }

    @Test
    @DisplayName("a custom command gets the text in place of its {title} and {body} arguments")
    void customCommand() {
        channel(Map.of("command", "/usr/local/bin/toast --title {title} --level {urgency} {body}"))
                .deliver(delivery("a b", "c", Priority.LOW));
        assertThat(runner.calls.get(0).command()).containsExactly("/usr/local/bin/toast", "--title", "a b", "--level", "low", "c");
        assertThatThrownBy(() -> channel(Map.of("command", "/bin/true"))).hasMessageContaining("channels.system.command");
    }

    @Test
    @DisplayName("the platform's command is chosen by os.name")
    void chosenByOs() {
        TestChannelContext ctx = TestChannelContext.builder("system").config(Map.of("users", "*")).build();
        contexts.add(ctx);
        assertThat(dev.notify.channel.system.internal.SystemSettings.from(ctx.config(), "Mac OS X").flavour().name()).isEqualTo("OSASCRIPT");
        assertThat(dev.notify.channel.system.internal.SystemSettings.from(ctx.config(), "Windows 11").flavour().name()).isEqualTo("POWERSHELL");
        assertThat(dev.notify.channel.system.internal.SystemSettings.from(ctx.config(), "Linux").flavour().name()).isEqualTo("NOTIFY_SEND");
    }

    @Test
    @DisplayName("a non-zero exit is a failed attempt carrying the command's stderr")
    void failureCarriesStderr() {
        runner.answer = new CommandRunner.Result(1, "GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown", false);
        DeliveryResult r = channel(Map.of()).deliver(delivery("t", "b", Priority.NORMAL));
        assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.RETRY);
        assertThat(r.reason()).contains("exited with 1").contains("ServiceUnknown");
    }

    @Test
    @DisplayName("a command outliving the timeout is a retry; a missing program fails for good")
    void timeoutAndMissingProgram() {
        runner.answer = new CommandRunner.Result(-1, "", true);
        assertThat(channel(Map.of("timeout", "2s")).deliver(delivery("t", "b", Priority.NORMAL)).reason()).contains("did not finish within");
        assertThat(runner.calls.get(0).timeout()).isEqualTo(Duration.ofSeconds(2));
        runner.failure = new java.io.IOException("Cannot run program \"notify-send\": error=2, No such file or directory");
        DeliveryResult r = channel(Map.of()).deliver(delivery("t", "b", Priority.NORMAL));
        assertThat(r.outcome()).isEqualTo(DeliveryResult.Outcome.FAILED);
        assertThat(r.reason()).contains("is it installed");
    }

    @Test
    @DisplayName("only the configured users are targets; '*' means every recipient; none configured, nothing")
    void targets() {
        Notification n = Notification.builder().recipients(List.of("u1", "u2")).title("t").build();
        assertThat(channel(Map.of()).targets(n)).containsExactly("u1");
        assertThat(channel(Map.of("users", "*")).targets(n)).containsExactly("u1", "u2");
        assertThat(channel(Map.of("users", "")).targets(n)).isEmpty();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    @DisplayName("the process runner reports exit codes and stderr, and kills what outlives the timeout")
    void processRunner() throws Exception {
        ProcessCommandRunner real = new ProcessCommandRunner();
        CommandRunner.Result fail = real.run(List.of("ls", "/definitely/not/here"), Map.of(), Duration.ofSeconds(10));
        assertThat(fail.exitCode()).isNotZero();
        assertThat(fail.stderr()).contains("/definitely/not/here");
        long start = System.nanoTime();
        CommandRunner.Result slow = real.run(List.of("sleep", "30"), Map.of(), Duration.ofMillis(300));
        assertThat(slow.timedOut()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms: killed at the timeout, not after the 30 s sleep").isLessThan(20_000);
        assertThatThrownBy(() -> real.run(List.of("no-such-program-notify"), Map.of(), Duration.ofSeconds(1)))
                .isInstanceOf(java.io.IOException.class);
    }
}
