package dev.notify.server;

import dev.notify.server.internal.Plugins;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Plugin loading")
class PluginLoadingTest {

    private static final String SERVICES = "META-INF/services/dev.notify.api.spi.ChannelProvider";

    private static final String GOOD = """
            package demo.good;
            import dev.notify.api.DeliveryResult;
            import dev.notify.api.spi.*;
            import java.nio.file.*;
            public final class LineChannelProvider implements ChannelProvider {
                public String name() { return "demo-lines"; }
                public String version() { return "1.2.3"; }
                public Channel create(ChannelContext context) {
                    Path file = Path.of(context.config().get("path").orElseThrow(() -> new IllegalArgumentException("channels.demo-lines.path is required")));
                    return new Channel() {
                        public String name() { return "demo-lines"; }
                        public ChannelKind kind() { return ChannelKind.PUSH; }
                        public synchronized DeliveryResult deliver(Delivery d) {
                            try {
                                Files.writeString(file, d.notification().id() + " " + d.target() + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                return DeliveryResult.sent();
                            } catch (java.io.IOException e) {
                                return DeliveryResult.retryLater(e.toString());
                            }
                        }
                    };
                }
            }
            """;

    private static final String THROWS = """
            package demo.bad;
            import dev.notify.api.spi.*;
            public final class ThrowingProvider implements ChannelProvider {
                public String name() { return "demo-throws"; }
                public Channel create(ChannelContext context) { throw new IllegalStateException("demo-throws cannot start"); }
            }
            """;

    @Test
    void loadsAJarFromThePluginsDirectoryAndDeliversThroughIt(@TempDir Path tmp) throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        jar(compile(tmp.resolve("good"), "demo/good/LineChannelProvider.java", GOOD), plugins.resolve("demo-lines.jar"), "demo.good.LineChannelProvider");
        Path out = tmp.resolve("deliveries.txt");
        try (TestServer server = TestServer.start(s -> s.pluginsDir(plugins).set("channels.demo-lines.path", out.toString()))) {
            assertThat(server.server().service().channelNames()).contains("demo-lines", "sse", "poll");
            String id = server.publish("{\"recipients\":[\"u1\"],\"title\":\"via plugin\",\"channels\":[\"demo-lines\"]}");
            awaitFileContains(out, id + " u1");
        }
    }

    @Test
    void aBrokenPluginIsReportedByNameAndTheServerStillStarts(@TempDir Path tmp) throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        jar(tmp.resolve("empty-classes"), plugins.resolve("missing-class.jar"), "demo.missing.NoSuchProvider");
        Files.createDirectories(tmp.resolve("nothing"));
        jar(tmp.resolve("nothing"), plugins.resolve("no-services.jar"), null);
        jar(compile(tmp.resolve("bad"), "demo/bad/ThrowingProvider.java", THROWS), plugins.resolve("throws.jar"), "demo.bad.ThrowingProvider");
        Files.writeString(plugins.resolve("not-a-jar.jar"), "garbage");

        Plugins found = Plugins.discover(plugins);
        assertThat(found.problems()).anySatisfy(p -> assertThat(p).contains("missing-class.jar").contains("demo.missing.NoSuchProvider"));
        assertThat(found.problems()).anySatisfy(p -> assertThat(p).contains("no-services.jar").contains("provides no channel"));
        found.close();

        try (TestServer server = TestServer.start(s -> s.pluginsDir(plugins))) {
            assertThat(server.server().service().channelNames()).contains("sse", "poll").doesNotContain("demo-throws");
            assertThat(server.get("/health", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnknownChannelNamesTheMissingJar(@TempDir Path tmp) {
        assertThatThrownBy(() -> TestServer.start(s -> s.channels(Set.of("sse", "sms"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channel 'sms' was not found").hasMessageContaining("notify-channel-sms.jar");
    }

    @Test
    void enablesOnlyTheChosenChannels() {
        try (TestServer server = TestServer.start(s -> s.channels(Set.of("poll")))) {
            assertThat(server.server().service().channelNames()).containsExactly("poll");
        }
    }

    static Path compile(Path dir, String relative, String source) throws IOException {
        Path src = dir.resolve("src").resolve(relative);
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        int rc = javac.run(System.out, System.err, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
        assertThat(rc).as("compiling %s", relative).isZero();
        return classes;
    }

    static void jar(Path classes, Path jar, String provider) throws IOException {
        Files.createDirectories(classes);
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
            if (provider != null) {
                out.putNextEntry(new JarEntry(SERVICES));
                out.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(classes)) {
                files = s.filter(Files::isRegularFile).toList();
            }
            for (Path f : files) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
    }

    static void awaitFileContains(Path file, String text) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(Files.exists(file) ? Files.readString(file) : "(no file)").contains(text);
    }
}
