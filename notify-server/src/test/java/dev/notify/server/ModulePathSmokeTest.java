package dev.notify.server;

import dev.notify.core.JsonbCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JPMS smoke test (STYLE.md, convention 8): the server started in a second JVM on the
 * <em>module path</em>, as {@code java -p ... -m dev.notify.server/dev.notify.server.Main}.
 * Every other test runs on the class path, where a missing {@code requires}, an unexported
 * package, a reflective access a module does not open, or a provider listed in
 * {@code META-INF/services} but not in {@code provides} goes unnoticed; here each of them stops
 * the server or a channel.
 *
 * <p>The module path is the test's class path minus what only the tests use (JUnit, AssertJ
 * and its Byte Buddy, the Surefire booter, the test kit, the test classes): the server's own
 * {@code target/classes} (an exploded module), every Notify module, and the third-party jars,
 * which are explicit modules (Jetty, Jakarta APIs, picocli, SLF4J, HikariCP) or automatic ones
 * (H2, Flyway, Micrometer, Nimbus JOSE+JWT, jmustache). The channels are resolved through
 * service binding because the server {@code uses} the SPI, and every automatic module comes with
 * the first one resolved; no {@code --add-opens} or {@code --patch-module} is needed.
 *
 * <p>No {@code --add-modules} is needed either. Flyway 10 read its configuration extensions with
 * Jackson's TOML data format, explicit modules that nothing {@code requires}, so this test used to
 * add {@code com.fasterxml.jackson.dataformat.toml}; Flyway 13 no longer depends on Jackson at all.
 */
@DisplayName("The server on the module path")
class ModulePathSmokeTest {


    /** Path fragments of what is on the test class path only for the tests. */
    private static final List<String> TEST_ONLY = List.of("/org/junit/", "/org/opentest4j/", "/org/apiguardian/",
            "/org/assertj/", "/net/bytebuddy/", "/org/apache/maven/surefire/", "notify-testkit", "test-classes");

    @Test
    @DisplayName("starts as module dev.notify.server, loads the sse and poll channels, and delivers a notification")
    void startsOnTheModulePath(@TempDir Path tmp) throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (!entry.isBlank() && TEST_ONLY.stream().noneMatch(normalized::contains)) {
                modulePath.add(entry);
            }
        }
        assertThat(modulePath).as("the module path").anySatisfy(e -> assertThat(e.replace('\\', '/')).endsWith("notify-server/target/classes"));

        List<String> command = List.of(ServerProcess.java(), "--module-path", String.join(File.pathSeparator, modulePath),
                "-m", "dev.notify.server/dev.notify.server.Main",
                "--host", "127.0.0.1", "--port", "0", "--data-dir", tmp.resolve("data").toString(),
                "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET,
                "--shutdown-timeout", "5s", "--access-log=false");
        try (ServerProcess server = ServerProcess.start(command, tmp); JsonbCodec json = new JsonbCodec()) {
            URI base = server.awaitListening(Duration.ofSeconds(90));
            server.awaitLine(Pattern.compile("channel plugin sse \\S+ loaded"), Duration.ofSeconds(1));
            server.awaitLine(Pattern.compile("channel plugin poll \\S+ loaded"), Duration.ofSeconds(1));

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);

            HttpResponse<String> published = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications"))
                    .header("Authorization", "Bearer " + TestServer.API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"recipients\":[\"u1\"],\"event\":\"task.completed\",\"title\":\"on the module path\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
            String id = (String) json.parseObject(published.body()).get("id");

            String jwt = TestServer.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("u1")
                    .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build(), TestServer.JWT_SECRET);
            HttpResponse<String> polled = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications/poll?after=0"))
                    .header("Authorization", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(polled.statusCode()).as(polled.body()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> events = (List<Map<String, Object>>) json.parseObject(polled.body()).get("events");
            assertThat(events).as(polled.body()).anySatisfy(e -> assertThat(e.toString()).contains(id));

            assertThat(server.terminate(Duration.ofSeconds(30))).as(server.output()).isZero();
        }
    }
}
