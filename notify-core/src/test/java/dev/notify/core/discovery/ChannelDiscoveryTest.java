package dev.notify.core.discovery;

import dev.notify.api.Notification;
import dev.notify.core.ChannelDiscovery;
import dev.notify.core.NotificationService;
import dev.notify.core.ServiceConfig;
import dev.notify.api.spi.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelDiscoveryTest {

    @Test
    void findsPluginsOnTheClasspathAndReportsEachBrokenOneWithoutLosingTheOthers() {
        ChannelDiscovery.Result r = ChannelDiscovery.discover();

        assertThat(r.providers()).containsOnlyKeys("echo");
        assertThat(r.providers().get("echo")).isInstanceOf(EchoChannelProvider.class);
        assertThat(r.problems()).anyMatch(p -> p.contains(BrokenChannelProvider.class.getName()) && p.contains("missing native library"));
        assertThat(r.problems()).anyMatch(p -> p.contains("'echo' is provided twice") && p.contains(SecondEchoChannelProvider.class.getName()));
        assertThat(r.problems()).anyMatch(p -> p.contains("'future'") && p.contains("SPI version 99"));
        assertThat(r.problems()).anyMatch(p -> p.contains("NoSuchChannelProvider"));
    }

    @Test
    void aServiceSelectsDiscoveredChannelsByNameAndGivesThemTheirConfigurationNode() throws Exception {
        try (NotificationService s = NotificationService.builder()
                .config(ServiceConfig.builder().config(Config.of(Map.of("channels.echo.prefix", ">> "))).build())
                .discoverChannels(Set.of("echo")).build()) {
            assertThat(s.channelNames()).containsExactly("echo");
            String id = s.notify(Notification.builder().recipient("u").title("hi").build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (s.delivery(id, "echo").map(d -> d.status().isTerminal()).orElse(false) == Boolean.FALSE && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            long deliveryId = s.delivery(id, "echo").orElseThrow().id();
            assertThat(s.attempts(deliveryId).get(0).response()).contains(">> hi");
        }
    }

    @Test
    void selectingAChannelThatIsNotThereNamesTheMissingJar() {
        assertThatThrownBy(() -> NotificationService.builder().discoverChannels(Set.of("sms")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channel 'sms' was not found").hasMessageContaining("notify-channel-sms")
                .hasMessageContaining("[echo]");
    }

    private static final Pattern MODULE_PATH_ENTRY = Pattern.compile(
            ".*(notify-api|notify-core[/\\\\]target[/\\\\]classes|yasson|jakarta\\.json|parsson|jmustache|micrometer|HdrHistogram|LatencyUtils).*");

    @Test
    void findsAPluginOnTheModulePathInASeparateJvm(@TempDir Path dir) throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (MODULE_PATH_ENTRY.matcher(e).matches() && !e.contains("test-classes")) {
                modulePath.add(e);
            }
        }
        Path src = dir.resolve("src/test.plugin/dev/example/plugin");
        Files.createDirectories(src);
        Files.writeString(dir.resolve("src/test.plugin/module-info.java"),
                "module test.plugin { requires dev.notify.core;"
                        + " provides dev.notify.api.spi.ChannelProvider with dev.example.plugin.ModuleChannelProvider; }");
        Files.writeString(src.resolve("ModuleChannelProvider.java"), String.join("\n",
                "package dev.example.plugin;",
                "import dev.notify.api.DeliveryResult;",
                "import dev.notify.api.spi.*;",
                "public final class ModuleChannelProvider implements ChannelProvider {",
                "  public String name() { return \"modular\"; }",
                "  public Channel create(ChannelContext c) { return new Channel() {",
                "    public String name() { return \"modular\"; }",
                "    public ChannelKind kind() { return ChannelKind.PUSH; }",
                "    public DeliveryResult deliver(Delivery d) { return DeliveryResult.sent(); } }; }",
                "}"));
        Files.writeString(src.resolve("Main.java"), String.join("\n",
                "package dev.example.plugin;",
                "public final class Main {",
                "  public static void main(String[] a) {",
                "    var r = dev.notify.core.ChannelDiscovery.discover();",
                "    System.out.println(\"found \" + r.providers().keySet() + \" problems \" + r.problems());",
                "    System.out.println(\"named \" + Main.class.getModule().getName());",
                "  }",
                "}"));
        Path out = dir.resolve("out");
        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        int rc = javac.run(System.out, System.err, "-d", out.toString(), "--module-path", String.join(File.pathSeparator, modulePath),
                "--module-source-path", dir.resolve("src").toString(), "--module", "test.plugin");
        assertThat(rc).as("the plugin module compiles against notify-api and notify-core").isZero();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--module-path",
                String.join(File.pathSeparator, modulePath) + File.pathSeparator + out.resolve("test.plugin"),
                "-m", "test.plugin/dev.example.plugin.Main").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("found [modular] problems []").contains("named test.plugin");
    }
}
