package dev.notify.server;

import dev.notify.core.JsonbCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runnable jar as users run it: {@code java -jar notify-server/target/notify-server.jar}.
 * An integration test (Failsafe, {@code mvn verify}) because the shaded jar only exists after
 * the {@code package} phase; it is skipped when the jar has not been built.
 */
@DisplayName("java -jar notify-server.jar")
class RunnableJarIT {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STOP = Duration.ofSeconds(45);

    private static Path jar;

    @BeforeAll
    static void findTheJar() {
        jar = Path.of("target", "notify-server.jar").toAbsolutePath();
        assumeTrue(Files.isRegularFile(jar), jar + " is built by 'mvn package'");
    }

    @Test
    @DisplayName("--help lists the options")
    void helpListsTheOptions(@TempDir Path tmp) {
        try (ServerProcess help = ServerProcess.start(List.of(ServerProcess.java(), "-jar", jar.toString(), "--help"), tmp)) {
            assertThat(help.awaitExit(Duration.ofSeconds(60))).as(help.output()).isZero();
            assertThat(help.output()).contains("--port", "--host", "--data-dir", "--db-url", "--db-user", "--db-password",
                    "--api-key", "--jwt-secret", "--plugins-dir", "--channels", "--webhook-allow-private-networks",
                    "--cors-origins", "--max-body-bytes", "--workers", "--queue-capacity", "--shutdown-timeout", "--config",
                    "NOTIFY_");
        }
    }

    @Test
    @DisplayName("SIGTERM closes open streams with a final comment, exits 0, and keeps what was accepted for the next start")
    void shutsDownGracefullyOnSigterm(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("data");
        HttpClient client = HttpClient.newHttpClient();
        String jwt = TestServer.sign(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("u1")
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build(), TestServer.JWT_SECRET);
        String id;
        try (ServerProcess server = start(dataDir, tmp); JsonbCodec json = new JsonbCodec()) {
            URI base = server.awaitListening(START);

            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications/stream"))
                    .header("Authorization", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            List<String> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (java.io.IOException e) {
                    // a reset also ends the stream; the assertions below say whether the comment came first
                }
            });

            HttpResponse<String> published = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications"))
                    .header("Authorization", "Bearer " + TestServer.API_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"recipients\":[\"u1\"],\"title\":\"accepted before SIGTERM\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
            id = (String) json.parseObject(published.body()).get("id");

            assertThat(server.terminate(STOP)).as("exit status after SIGTERM; output:%n%s", server.output()).isZero();
            ended.get(10, TimeUnit.SECONDS);
            assertThat(lines).as("the stream's lines").contains(": server shutting down");
            assertThat(server.output()).contains("shutting down", "shut down:");
        }

        try (ServerProcess again = start(dataDir, tmp); JsonbCodec json = new JsonbCodec()) {
            URI base = again.awaitListening(START);
            HttpResponse<String> inbox = client.send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications"))
                    .header("Authorization", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(inbox.statusCode()).as(inbox.body()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> items = (List<Map<String, Object>>) json.parseObject(inbox.body()).get("notifications");
            assertThat(items).extracting(m -> m.get("id")).containsExactly(id);
            assertThat(again.terminate(STOP)).as(again.output()).isZero();
        }
    }

    private static ServerProcess start(Path dataDir, Path workDir) {
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-jar", jar.toString(),
                "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString(),
                "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET,
                "--shutdown-timeout", "10s", "--access-log=false"));
        return ServerProcess.start(command, workDir);
    }
}
