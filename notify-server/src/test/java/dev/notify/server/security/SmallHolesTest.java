package dev.notify.server.security;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 7, the server's share: OPTIONS is authenticated, and user ids cannot forge log lines. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Small holes")
class SmallHolesTest {

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start(s -> s.devTokens(true).corsOrigins(List.of("https://app.example")));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/notifications", "/api/v1/webhooks", "/api/v1/notifications/stream",
            "/api/v1/dead-letters", "/api/v1/dev/tokens", "/api/v1/anything/a/plugin/serves"})
    void anOptionsRequestWithoutCredentialsIs401(String path) throws Exception {
        RawHttp.Answer a = RawHttp.send(server.baseUri(), "OPTIONS", path, null, null);

        assertThat(a.status()).as(a.head() + "\n" + a.body()).isEqualTo(401);
    }

    @Test
    void aCorsPreflightStillNeedsNoCredentials() throws Exception {
        var r = server.send(server.request("/api/v1/notifications", null).method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "GET").build());

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"u1\r\n2026-01-01 INFO forged line", "u1\nx", "u1\u0000", "u1\u001b[31m"})
    void aSubWithControlCharactersIsRefused(String sub) {
        String jwt = TestServer.sign(new JWTClaimsSet.Builder().subject(sub)
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build(), TestServer.JWT_SECRET);

        var r = server.get("/api/v1/notifications/stats", jwt);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.body()).contains("control characters");
    }

    @Test
    void theAccessLogWritesControlCharactersEscaped() {
        assertThat(dev.notify.server.internal.AccessLog.escape("/api/v1/x\r\nINFO forged")).isEqualTo("/api/v1/x\\u000d\\u000aINFO forged");
    }

    @Test
    void aDevTokenForAUserIdWithALineBreakIsRefused() {
        var r = server.post("/api/v1/dev/tokens", server.apiKey(), "{\"user\":\"u1\\r\\nforged\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    }
}
