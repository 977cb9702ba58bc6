package dev.notify.server;

import dev.notify.server.web.NodeTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenAPI description ({@code src/main/resources/web/openapi.json}): served by the server,
 * valid by Redocly's rules, rendered into {@code docs/api-reference.html}, usable by a client
 * generator as the README says, and enforced on the API tests by {@link ApiContract}, which is
 * itself tested here with exchanges that break the description.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The OpenAPI description")
class OpenApiTest {

    private static final Path DESCRIPTION = NodeTools.MODULE.resolve("src/main/resources/web/openapi.json");
    private static final Path RENDERED = NodeTools.ROOT.resolve("docs/api-reference.html");
    private static final Duration NPM_TIMEOUT = Duration.ofSeconds(120);

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("is served at /api/v1/openapi.json without credentials, to any origin")
    void isServedWithoutCredentials() throws IOException {
        HttpResponse<String> r = server.get("/api/v1/openapi.json", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        assertThat(r.body()).isEqualTo(Files.readString(DESCRIPTION));
        assertThat(ApiContract.get().document().get("openapi").asString()).isEqualTo("3.1.0");
    }

    @Test
    @DisplayName("describes every path of DESIGN.md's HTTP table and the server's own additions")
    void describesEveryPath() {
        List<String> paths = List.of("/api/v1/notifications", "/api/v1/notifications/batch", "/api/v1/notifications/stats",
                "/api/v1/notifications/{id}", "/api/v1/notifications/read", "/api/v1/notifications/delete",
                "/api/v1/notifications/stream", "/api/v1/notifications/subscribe", "/api/v1/notifications/ws",
                "/api/v1/notifications/poll", "/api/v1/notifications/stream/connections", "/api/v1/admin/nodes", "/api/v1/stream-tokens", "/api/v1/preferences",
                "/api/v1/webhooks", "/api/v1/webhooks/{id}", "/api/v1/webhooks/{id}/deliveries", "/api/v1/webhooks/{id}/enable",
                "/api/v1/webhooks/{id}/disable", "/api/v1/webhooks/{id}/rotate-secret", "/api/v1/dead-letters",
                "/api/v1/dead-letters/{id}/replay", "/api/v1/dev/tokens", "/api/v1/openapi.json", "/metrics", "/health",
                "/health/live", "/health/ready");
        List<String> described = Stream.of(ApiContract.get().document().get("paths").propertyNames().toArray(String[]::new)).toList();
        assertThat(described).containsExactlyInAnyOrderElementsOf(paths);
        assertThat(ApiContract.get().document().at("/components/securitySchemes").propertyNames())
                .containsExactlyInAnyOrder("publisherKey", "userJwt", "streamToken");
    }

    @Test
    @DisplayName("passes Redocly CLI's recommended rules without an error or a warning")
    void passesRedoclyLint() {
        NodeTools.requirePackages("@redocly/cli");
        NodeTools.Result r = NodeTools.run(NodeTools.SCRIPTS, NPM_TIMEOUT, Map.of(),
                "npx", "redocly", "lint", "--config", "redocly.yaml", DESCRIPTION.toString()).ok("redocly lint");
        assertThat(r.output()).contains("Your API description is valid").doesNotContain("You have");
    }

    @Test
    @DisplayName("is rendered, up to date, in docs/api-reference.html")
    void renderedReferenceIsUpToDate() throws IOException {
        NodeTools.requirePackages("@redocly/cli");
        Path out = NodeTools.MODULE.resolve("target/api-reference.html");
        NodeTools.run(NodeTools.SCRIPTS, NPM_TIMEOUT, Map.of(), "npx", "redocly", "build-docs", DESCRIPTION.toString(),
                "-o", out.toString()).ok("redocly build-docs");
        assertThat(Files.readString(RENDERED)).as("docs/api-reference.html is stale: run (from the repository root) "
                        + "REDOCLY_TELEMETRY=off npx --prefix notify-server/src/test/browser redocly build-docs "
                        + "notify-server/src/main/resources/web/openapi.json -o docs/api-reference.html")
                .isEqualTo(Files.readString(out));
    }

    @Test
    @DisplayName("generates typed TypeScript with the README's command, and the README's client publishes through it")
    void readmeClientGenerationWorksVerbatim() throws IOException {
        NodeTools.requirePackages("openapi-typescript", "typescript");
        Path dir = NodeTools.MODULE.resolve("target/openapi-quickstart");
        TestServer.deleteTree(dir);
        Files.createDirectories(dir);
        Path sources = NodeTools.SCRIPTS.resolve("quickstart");
        for (String f : List.of("publish.ts", "tsconfig.json", "package.json")) {
            Files.copy(sources.resolve(f), dir.resolve(f));
        }
        // a project that installed openapi-typescript and typescript, as npx expects (it never downloads here)
        Files.createSymbolicLink(dir.resolve("node_modules"), NodeTools.SCRIPTS.resolve("node_modules"));
        String readme = Files.readString(NodeTools.ROOT.resolve("README.md"));
        String fetch = "curl -s http://localhost:8080/api/v1/openapi.json -o openapi.json";
        String generate = "npx openapi-typescript openapi.json -o notify-api.d.ts";
        assertThat(readme).contains(fetch).contains(generate).contains(Files.readString(sources.resolve("publish.ts")));

        // the curl line, against this test's server
        Files.writeString(dir.resolve("openapi.json"), server.get("/api/v1/openapi.json", null).body());
        NodeTools.run(dir, NPM_TIMEOUT, Map.of(), generate.split(" ")).ok(generate);
        assertThat(Files.readString(dir.resolve("notify-api.d.ts"))).contains("\"/api/v1/notifications\"").contains("PublishRequest");
        NodeTools.run(dir, NPM_TIMEOUT, Map.of(), "npx", "tsc", "-p", "tsconfig.json").ok("tsc (type-checks publish.ts)");
        Files.writeString(dir.resolve("out/run.mjs"), "import { publish } from './publish.js';\n"
                + "const r = await publish(process.env.NOTIFY_URL, process.env.NOTIFY_API_KEY, { recipients: ['ts-user'], title: 'From TypeScript' });\n"
                + "console.log('published ' + r.id + ' duplicate=' + r.duplicate);\n");
        Files.writeString(dir.resolve("out/package.json"), "{\"type\":\"module\"}\n");
        NodeTools.Result run = NodeTools.run(dir.resolve("out"), NPM_TIMEOUT,
                Map.of("NOTIFY_URL", server.baseUri().toString(), "NOTIFY_API_KEY", server.apiKey()), "node", "run.mjs").ok("the typed client");
        assertThat(run.output()).contains("duplicate=false");
        assertThat(server.get("/api/v1/notifications", server.jwt("ts-user")).body()).contains("From TypeScript");
    }

    @Nested
    @DisplayName("as the contract of the API tests")
    class Contract {

        private final ApiContract contract = ApiContract.get();

        @Test
        void acceptsAnExchangeThatFollowsIt() {
            assertThat(contract.problems(get("/api/v1/notifications/stats"),
                    response(200, "application/json", "{\"total\":2,\"unread\":1,\"read\":1}"))).isEmpty();
            assertThat(contract.problems(post("/api/v1/notifications", "{\"recipients\":[\"u1\"],\"title\":\"Hi\"}"),
                    response(202, "application/json", "{\"id\":\"n1\",\"duplicate\":false}"))).isEmpty();
        }

        @Test
        void refusesAResponseFieldItDoesNotDescribe() {
            assertThat(contract.problems(get("/api/v1/notifications/stats"),
                    response(200, "application/json", "{\"total\":2,\"unread\":1,\"read\":1,\"archived\":0}")))
                    .singleElement().asString().contains("archived");
        }

        @Test
        void refusesAMissingRequiredField() {
            assertThat(contract.problems(get("/api/v1/notifications/stats"), response(200, "application/json", "{\"total\":2}")))
                    .anySatisfy(p -> assertThat(p).contains("required property 'unread'"));
        }

        @Test
        void refusesAStatusTheOperationDoesNotList() {
            assertThat(contract.problems(get("/api/v1/notifications/stats"), response(409, "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"x\"}")))
                    .singleElement().asString().contains("does not list status 409");
        }

        @Test
        void refusesAnErrorThatIsNotAProblemDocument() {
            assertThat(contract.problems(get("/api/v1/notifications/stats"), response(401, "text/html", "<h1>401</h1>")))
                    .singleElement().asString().contains("text/html");
        }

        @Test
        void refusesAServerThatAcceptsWhatTheDescriptionCallsInvalid() {
            assertThat(contract.problems(post("/api/v1/notifications", "{\"recipients\":[\"u1\"],\"colour\":\"red\"}"),
                    response(202, "application/json", "{\"id\":\"n1\",\"duplicate\":false}")))
                    .singleElement().asString().contains("calls invalid").contains("colour");
            assertThat(contract.problems(get("/api/v1/dead-letters?limit=5000"),
                    response(200, "application/json", "{\"deadLetters\":[],\"nextCursor\":null}")))
                    .singleElement().asString().contains("limit");
            assertThat(contract.problems(get("/api/v1/undocumented"), response(200, "application/json", "{}")))
                    .anySatisfy(p -> assertThat(p).contains("must get a 4xx"));
        }

        @Test
        void letsAnInvalidRequestBeRefusedWithADocumentedProblem() {
            assertThat(contract.problems(post("/api/v1/notifications", "{\"recipients\":[\"u1\"],\"colour\":\"red\"}"),
                    response(400, "application/problem+json",
                            "{\"type\":\"https://notify.dev/problems/bad-request\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"unknown field\"}")))
                    .isEmpty();
        }

        @Test
        void refusesAStreamThatIsNotAnEventStream() {
            contract.checkStream(get("/api/v1/notifications/stream"), response(200, "text/event-stream", ""));
            assertThatThrownBy(() -> contract.checkStream(get("/api/v1/notifications/stream"), response(200, "application/json", "")))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("text/event-stream");
        }

        private HttpRequest get(String path) {
            return server.request(path, "x").GET().build();
        }

        private HttpRequest post(String path, String json) {
            return server.request(path, "x").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        }
    }

    private static HttpResponse<String> response(int status, String type, String body) {
        return new FakeResponse(status, HttpHeaders.of(Map.of("Content-Type", List.of(type)), (a, b) -> true), body);
    }

    /** A response as a server that drifted from the description would send it. */
    private record FakeResponse(int statusCode, HttpHeaders headers, String body) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            throw new UnsupportedOperationException();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
