package dev.notify.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A real Notify server for end-to-end tests: started on a free loopback port with a temporary
 * data directory, a known API key and JWT secret, and every channel on the test classpath.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start()) {
 *     HttpResponse<String> r = server.post("/api/v1/notifications", server.apiKey(),
 *             "{\"recipients\":[\"u1\"],\"title\":\"Hi\"}");
 *     HttpResponse<String> inbox = server.get("/api/v1/notifications", server.jwt("u1"));
 * }
 * }</pre>
 *
 * Customise the settings with {@link #start(Consumer)}:
 * {@code TestServer.start(s -> s.set("channels.sse.heartbeat-interval", "1s"))}.
 */
public final class TestServer implements AutoCloseable {

    /** The API key every test server accepts. */
    public static final String API_KEY = "test-api-key-0123456789abcdef";
    /** The JWT secret every test server uses (HS256, 32+ bytes). */
    public static final String JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789";

    private final NotifyServer server;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final HttpClient client;

    private TestServer(NotifyServer server, Path dataDir, boolean ownsDataDir) {
        this.server = server;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Starts a server with the test defaults. */
    public static TestServer start() {
        return start(s -> { });
    }

    /** Starts a server with the test defaults changed by {@code customizer} (which may also set the data dir). */
    public static TestServer start(Consumer<ServerSettings.Builder> customizer) {
        Path dir;
        try {
            dir = Files.createTempDirectory("notify-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerSettings.Builder b = defaults(dir);
        customizer.accept(b);
        return new TestServer(NotifyServer.start(b.build()), dir, true);
    }

    /** Starts a server on an existing data directory (a restart), which the caller deletes. */
    public static TestServer restart(Path dataDir, Consumer<ServerSettings.Builder> customizer) {
        ServerSettings.Builder b = defaults(dataDir);
        customizer.accept(b);
        return new TestServer(NotifyServer.start(b.build()), dataDir, false);
    }

    /** The settings a test server starts from: loopback, free port, known secrets, quiet access log, short drain. */
    public static ServerSettings.Builder defaults(Path dataDir) {
        return ServerSettings.builder()
                .host("127.0.0.1").port(0).dataDir(dataDir)
                .apiKey(API_KEY).jwtSecret(JWT_SECRET)
                .pluginsDir(dataDir.resolve("plugins"))
                .shutdownTimeout(Duration.ofSeconds(5))
                .accessLog(false);
    }

    /** The running server. */
    public NotifyServer server() {
        return server;
    }

    /** The base URI, {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return server.baseUri();
    }

    /** The absolute URI of a path (with query), such as {@code /api/v1/notifications?unread=true}. */
    public URI uri(String pathAndQuery) {
        return URI.create(baseUri() + pathAndQuery);
    }

    /** The data directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** The publishers' API key. */
    public String apiKey() {
        return API_KEY;
    }

    /** A JWT for the user, valid for an hour, granting these topics (or patterns such as {@code task:*}). */
    public String jwt(String userId, String... topics) {
        return jwt(userId, Instant.now().plus(Duration.ofHours(1)), topics);
    }

    /** A JWT for the user expiring at {@code expiresAt} (in the past for an expired one). */
    public String jwt(String userId, Instant expiresAt, String... topics) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(userId).expirationTime(Date.from(expiresAt))
                .issueTime(new Date());
        if (topics.length > 0) {
            claims.claim("topics", Arrays.asList(topics));
        }
        return sign(claims.build(), JWT_SECRET);
    }

    /** Signs claims with any secret (a wrong one, to test refusals). */
    public static String sign(JWTClaimsSet claims, String secret) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** A shared HTTP client. */
    public HttpClient client() {
        return client;
    }

    /** A request builder for the path with {@code Authorization: Bearer <credential>} when one is given. */
    public HttpRequest.Builder request(String pathAndQuery, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b;
    }

    /** GET with a bearer credential (or none with null). */
    public HttpResponse<String> get(String pathAndQuery, String bearer) {
        return send(request(pathAndQuery, bearer).GET().build());
    }

    /** POST of a JSON body. */
    public HttpResponse<String> post(String pathAndQuery, String bearer, String json) {
        return send(request(pathAndQuery, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** PATCH of a JSON body. */
    public HttpResponse<String> patch(String pathAndQuery, String bearer, String json) {
        return send(request(pathAndQuery, bearer).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** DELETE. */
    public HttpResponse<String> delete(String pathAndQuery, String bearer) {
        return send(request(pathAndQuery, bearer).DELETE().build());
    }

    /**
     * Publishes with the API key and returns the new notification's id.
     *
     * @throws AssertionError when the server does not answer 202
     */
    public String publish(String json) {
        HttpResponse<String> r = post("/api/v1/notifications", API_KEY, json);
        if (r.statusCode() != 202) {
            throw new AssertionError("publish answered " + r.statusCode() + ": " + r.body());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = server.service().json().fromJson(r.body(), Map.class);
        return (String) body.get("id");
    }

    /** Parses a JSON object response body. */
    public Map<String, Object> json(HttpResponse<String> response) {
        return server.service().json().parseObject(response.body());
    }

    /**
     * Sends a request, turning I/O failures into unchecked ones, and checks the exchange against the
     * OpenAPI description ({@link ApiContract}): every API test keeps the description true.
     *
     * @throws AssertionError when the request or the response disagrees with the description
     */
    public HttpResponse<String> send(HttpRequest request) {
        HttpResponse<String> response = sendUnchecked(request);
        ApiContract.get().check(request, response);
        return response;
    }

    /** Sends a request without checking it against the OpenAPI description (for what the description does not cover). */
    public HttpResponse<String> sendUnchecked(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server gracefully and deletes its data directory (when it created it). */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            if (ownsDataDir) {
                deleteTree(dataDir);
            }
        }
    }

    /** Deletes a directory tree, ignoring what cannot be deleted. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // leftovers in the temp directory do no harm
        }
    }

    /** Convenience for list-typed JSON fields. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> list(Map<String, Object> json, String field) {
        return (List<Map<String, Object>>) json.get(field);
    }
}
