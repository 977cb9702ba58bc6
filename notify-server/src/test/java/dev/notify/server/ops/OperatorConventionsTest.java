package dev.notify.server.ops;

import dev.notify.core.JsonbCodec;
import dev.notify.server.ServerProcess;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

/** What operators expect of a server: request ids, JSON logs on request, JVM and pool metrics. */
@DisplayName("Operators' conventions")
class OperatorConventionsTest {

    @Test
    @DisplayName("every response carries a request id, and a problem names the same id")
    void problemsCarryTheRequestIdOfTheResponse() {
        try (TestServer server = TestServer.start(); JsonbCodec json = new JsonbCodec()) {
            HttpResponse<String> r = server.get("/api/v1/notifications", null);
            assertThat(r.statusCode()).isEqualTo(401);
            String id = r.headers().firstValue("X-Request-Id").orElseThrow();
            Map<String, Object> problem = json.parseObject(r.body());
            assertThat(problem).containsEntry("requestId", id).containsEntry("instance", "urn:notify:request:" + id);

            HttpResponse<String> notFound = server.send(server.request("/no/such/path", null).header("X-Request-Id", "lb-4711").GET().build());
            assertThat(notFound.statusCode()).isEqualTo(404);
            assertThat(notFound.headers().firstValue("X-Request-Id")).hasValue("lb-4711");
            assertThat(json.parseObject(notFound.body())).containsEntry("requestId", "lb-4711");

            HttpResponse<String> forged = server.send(server.request("/no/such/path", null).header("X-Request-Id", "a b\"c").GET().build());
            assertThat(forged.headers().firstValue("X-Request-Id")).get().asString().matches("[0-9a-f]{16}");
        }
    }

    @Test
    @DisplayName("GET /metrics has JVM, Jetty thread pool and HikariCP pool metrics next to Notify's own")
    void metricsIncludeJvmJettyAndConnectionPool() {
        try (TestServer server = TestServer.start()) {
            server.publish("{\"recipients\":[\"u1\"],\"title\":\"count me\"}");
            String metrics = server.get("/metrics", null).body();
            assertThat(metrics).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads", "process_uptime_seconds",
                    "system_cpu_count");
            assertThat(metrics).contains("jetty_threads_busy", "jetty_threads_config_max");
            assertThat(metrics).contains("hikaricp_connections_active{pool=\"notify-store\"}", "hikaricp_connections_max{pool=\"notify-store\"}");
            assertThat(metrics).contains("notify_");
        }
    }

    @Test
    @DisplayName("--log-format json writes one JSON object per line, the access log with the request id of the response")
    void jsonLogsAreOneObjectPerLineWithTheRequestId(@TempDir Path tmp) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-cp", System.getProperty("java.class.path"),
                "dev.notify.server.Main", "--log-format", "json", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", tmp.resolve("data").toString(), "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET,
                "--shutdown-timeout", "2s"));
        try (ServerProcess server = ServerProcess.start(command, tmp); JsonbCodec json = new JsonbCodec()) {
            URI base = server.awaitListening(Duration.ofSeconds(60));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/api/v1/notifications")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String id = r.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(json.parseObject(r.body())).containsEntry("requestId", id);
            server.awaitLine(Pattern.compile("\"requestId\":\"" + id + "\""), Duration.ofSeconds(10));
            assertThat(server.terminate(Duration.ofSeconds(30))).isZero();

            List<String> lines = server.output().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).hasSizeGreaterThan(5);
            for (String line : lines) {
                Map<String, Object> event = json.parseObject(line);
                assertThat(event).as(line).containsKeys("timestamp", "level", "logger", "thread", "message");
            }
            Map<String, Object> access = lines.stream().map(json::parseObject).filter(e -> id.equals(e.get("requestId"))).findFirst().orElseThrow();
            assertThat(access).containsEntry("logger", "dev.notify.server.access");
            assertThat((String) access.get("message")).startsWith("GET /api/v1/notifications 401");
        }
    }
}
