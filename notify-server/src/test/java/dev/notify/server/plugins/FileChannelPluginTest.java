package dev.notify.server.plugins;

import dev.notify.core.JsonbCodec;
import dev.notify.server.ServerProcess;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example third-party plugin of {@code examples/file-channel}, built by its own pom outside
 * the reactor exactly as its README says, dropped into a plugins directory and delivered through
 * by a real server process started with {@code --plugins-dir}.
 *
 * <p>The example is built offline against the {@code notify-api} and {@code notify-testkit}
 * in the local Maven repository, so run the reactor with {@code mvn install} (not only
 * {@code verify}), which installs them before this module's tests run.
 */
@DisplayName("The example file channel as a plugin of the real server")
class FileChannelPluginTest {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static Path pluginJar;

    @BeforeAll
    static void buildTheExample() throws Exception {
        Path example = repositoryRoot().resolve("examples").resolve("file-channel");
        Path log = Files.createTempFile("file-channel-build", ".log");
        List<String> command = new java.util.ArrayList<>(List.of("mvn", "-q", "-o", "-f", example.resolve("pom.xml").toString(), "package", "-DskipTests"));
        // the same local repository as the build running this test (mvn -Dmaven.repo.local=... reaches it as a system property)
        String localRepository = System.getProperty("maven.repo.local");
        if (localRepository != null && !localRepository.isBlank()) {
            command.add("-Dmaven.repo.local=" + localRepository);
        }
        Process build;
        try {
            build = new ProcessBuilder(command).directory(example.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run '" + String.join(" ", command) + "': is Maven's 'mvn' on the PATH? (" + e.getMessage() + ")", e);
        }
        boolean done = build.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        if (!done) {
            build.destroyForcibly();
            throw new AssertionError("building the example plugin took longer than " + BUILD_TIMEOUT + ":\n" + output);
        }
        if (build.exitValue() != 0) {
            throw new AssertionError("'" + String.join(" ", command) + "' failed with exit status " + build.exitValue()
                    + ". It builds offline against the installed notify-api and notify-testkit: run 'mvn install' from the"
                    + " repository root first. Maven said:\n" + output);
        }
        pluginJar = example.resolve("target").resolve("notify-file-channel.jar");
        assertThat(pluginJar).as("the example's jar").isRegularFile();
    }

    /** The folder with the reactor's pom and {@code examples/}, found upwards from the working directory. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("examples/file-channel/pom.xml"))) {
                return d;
            }
        }
        throw new AssertionError("examples/file-channel/pom.xml not found in " + dir + " or above");
    }

    @Test
    @DisplayName("is loaded from --plugins-dir, logged with its name and version, and appends what is published to it")
    void loadsFromThePluginsDirectoryAndDelivers(@TempDir Path tmp) throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));
        Path out = tmp.resolve("out").resolve("deliveries.jsonl");

        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-cp", System.getProperty("java.class.path"),
                "dev.notify.server.Main",
                "--host", "127.0.0.1", "--port", "0", "--data-dir", tmp.resolve("data").toString(),
                "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET,
                "--plugins-dir", plugins.toString(),
                "--set", "channels.file.path=" + out,
                "--shutdown-timeout", "5s", "--access-log=false"));
        try (ServerProcess server = ServerProcess.start(command, tmp)) {
            URI base = server.awaitListening(Duration.ofSeconds(60));
            server.awaitLine(Pattern.compile("channel plugin file 0\\.1\\.0 loaded from notify-file-channel\\.jar"), Duration.ofSeconds(5));

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications"))
                    .header("Authorization", "Bearer " + TestServer.API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"recipients\":[\"u1\",\"u2\"],\"event\":\"task.completed\","
                            + "\"title\":\"Import finished\",\"data\":{\"rows\":42},\"channels\":[\"file\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

            try (JsonbCodec json = new JsonbCodec()) {
                String id = (String) json.parseObject(r.body()).get("id");
                List<String> lines = awaitLines(out, 2, Duration.ofSeconds(15));
                List<Map<String, Object>> records = lines.stream().map(json::parseObject).toList();
                assertThat(records).extracting(m -> m.get("target")).containsExactlyInAnyOrder("u1", "u2");
                assertThat(records).allSatisfy(m -> assertThat(m)
                        .containsEntry("id", id).containsEntry("event", "task.completed").containsEntry("title", "Import finished"));
            }
            assertThat(server.terminate(Duration.ofSeconds(30))).as(server.output()).isZero();
        }
    }

    private static List<String> awaitLines(Path file, int count, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        List<String> lines = List.of();
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(file)) {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.size() >= count) {
                    return lines;
                }
            }
            // the delivery happens in another process: there is nothing to wait on but the file
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + count + " lines in " + file + " within " + timeout + ", got " + lines);
    }
}
