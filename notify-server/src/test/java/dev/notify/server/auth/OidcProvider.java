package dev.notify.server.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real OpenID provider for the tests: {@code src/test/oidc/provider.mjs}, the npm package
 * {@code oidc-provider} issuing JWT access tokens by the client credentials grant. Needs Node.js
 * and {@code npm ci --prefix notify-server/src/test/oidc}.
 */
final class OidcProvider implements AutoCloseable {

    static final String NOTIFY_AUDIENCE = "https://notify.example/api";
    static final String OTHER_AUDIENCE = "https://other.example/api";
    private static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final Path SCRIPTS = MODULE.resolve("src/test/oidc");
    private static final Pattern FIELD = Pattern.compile("\"(issuer|jwks_uri|token_endpoint)\":\"([^\"]+)\"");

    private final Process process;
    private final String issuer;
    private final URI jwksUri;
    private final URI tokenEndpoint;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OidcProvider(Process process, String issuer, URI jwksUri, URI tokenEndpoint) {
        this.process = process;
        this.issuer = issuer;
        this.jwksUri = jwksUri;
        this.tokenEndpoint = tokenEndpoint;
    }

    static OidcProvider start() throws Exception {
        if (!Files.isDirectory(SCRIPTS.resolve("node_modules/oidc-provider"))) {
            throw new AssertionError("the identity provider tests need Node.js and oidc-provider: npm ci --prefix notify-server/src/test/oidc");
        }
        Process p = new ProcessBuilder("node", "provider.mjs").directory(SCRIPTS.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.startsWith("{")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        if (line == null) {
            p.destroyForcibly();
            throw new AssertionError("provider.mjs ended without saying where it listens");
        }
        String issuer = null;
        String jwks = null;
        String token = null;
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            switch (m.group(1)) {
                case "issuer" -> issuer = m.group(2);
                case "jwks_uri" -> jwks = m.group(2);
                default -> token = m.group(2);
            }
        }
        return new OidcProvider(p, issuer, URI.create(jwks), URI.create(token));
    }

    String issuer() {
        return issuer;
    }

    URI jwksUri() {
        return jwksUri;
    }

    /** An access token for client {@code alice} for {@code resource} with {@code scope}. */
    String token(String resource, String scope) throws Exception {
        String body = "grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
                + "&resource=" + URLEncoder.encode(resource, StandardCharsets.UTF_8);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(tokenEndpoint)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new AssertionError("the provider refused a token: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    /** The provider's JWKS as it publishes it now. */
    String jwks() throws Exception {
        return client.send(HttpRequest.newBuilder(jwksUri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Replaces the provider's signing keys with new ones (new kids): a key rotation. */
    void rotateKeys() throws Exception {
        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(issuer + "/test/rotate"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 204) {
            throw new AssertionError("rotation failed: " + r.statusCode());
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
