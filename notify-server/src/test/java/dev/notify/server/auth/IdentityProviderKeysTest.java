package dev.notify.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.notify.server.ServerSettings;
import dev.notify.server.internal.Authenticator;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How the server uses an identity provider's JWKS, against a JWKS endpoint that counts its
 * requests: fetched once and cached, fetched again for an unknown {@code kid}, but not more often
 * than the refresh floor however many tokens name unknown keys; the configured claims map to the
 * user and topic grants; and the algorithms outside the configured set are refused.
 */
class IdentityProviderKeysTest {

    private static final String ISSUER = "https://sso.example.com/realms/acme";
    private static final String AUDIENCE = "notify";

    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private Server jwksEndpoint;
    private RSAKey rsa;
    private ECKey ec;

    @BeforeEach
    void publishKeys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        published.set(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));
        jwksEndpoint = new Server(new InetSocketAddress("127.0.0.1", 0));
        jwksEndpoint.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                fetches.incrementAndGet();
                response.getHeaders().put("Content-Type", "application/json");
                Content.Sink.write(response, true, published.get().toString(), callback);
                return true;
            }
        });
        jwksEndpoint.start();
    }

    @AfterEach
    void stop() throws Exception {
        jwksEndpoint.stop();
    }

    private ServerSettings.IdentityProvider provider() {
        int port = ((ServerConnector) jwksEndpoint.getConnectors()[0]).getLocalPort();
        return ServerSettings.IdentityProvider.of(URI.create("http://127.0.0.1:" + port + "/certs"), ISSUER, AUDIENCE);
    }

    private static Authenticator authenticator(ServerSettings.IdentityProvider provider) {
        return new Authenticator("test-api-key-0123456789", "test-jwt-secret-0123456789abcdef0123456789", Optional.of(provider),
                Duration.ofSeconds(30), Clock.systemUTC());
    }

    private static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("alice")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void theKeySetIsFetchedOnceForManyTokens() throws Exception {
        Authenticator auth = authenticator(provider());
        for (int i = 0; i < 20; i++) {
            assertThat(auth.verifyUserToken(rs256(rsa, claims().build()), false).identity().userId()).isEqualTo("alice");
        }
        assertThat(fetches).hasValue(1);
    }

    @Test
    void tokensNamingUnknownKeysCauseNoMoreFetchesThanTheFloorAllows() throws Exception {
        Authenticator auth = authenticator(provider().withJwksCaching(Duration.ofHours(2), Duration.ofHours(1)));
        auth.verifyUserToken(rs256(rsa, claims().build()), false);
        for (int i = 0; i < 50; i++) {
            RSAKey stranger = new RSAKeyGenerator(2048).keyID("unknown-" + i).generate();
            String token = rs256(stranger, claims().build());
            assertThatThrownBy(() -> auth.verifyUserToken(token, false)).isInstanceOf(Authenticator.AuthException.class);
        }
        // the first fetch, then Nimbus's rate limiter lets at most a couple through per floor interval
        assertThat(fetches.get()).isBetween(2, 3);
    }

    @Test
    void aRotatedKeyIsFetchedWhenAFirstTokenNamesIt() throws Exception {
        Authenticator auth = authenticator(provider().withJwksCaching(Duration.ofHours(2), Duration.ZERO));
        auth.verifyUserToken(rs256(rsa, claims().build()), false);
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        published.set(new JWKSet(List.of(next.toPublicJWK())));
        assertThat(auth.verifyUserToken(rs256(next, claims().build()), false).identity().userId()).isEqualTo("alice");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void es256IsAcceptedAndAnAlgorithmOutsideTheConfiguredSetIsNot() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims().build());
        jwt.sign(new ECDSASigner(ec));
        assertThat(authenticator(provider()).verifyUserToken(jwt.serialize(), false).identity().userId()).isEqualTo("alice");

        ServerSettings.IdentityProvider rsaOnly = new ServerSettings.IdentityProvider(provider().jwksUrl(), ISSUER, List.of(AUDIENCE),
                List.of("RS256"), null, null, null, null, null);
        assertThatThrownBy(() -> authenticator(rsaOnly).verifyUserToken(jwt.serialize(), false))
                .hasMessageContaining("signed with ES256; accepted: HS256 (the server's own) and [RS256]");
    }

    @Test
    void theUserIdAndTopicGrantsComeFromTheConfiguredClaimsAndScopes() throws Exception {
        Authenticator auth = authenticator(provider().withUserClaim("preferred_username").withTopicsClaim("notify_topics")
                .withScopeTopics(Map.of("notify:builds", List.of("build:*", "deploy:*"))));
        JWTClaimsSet c = claims().claim("preferred_username", "alice.smith").claim("notify_topics", "task:a task:b")
                .claim("scp", List.of("notify:builds", "openid")).build();
        var user = auth.verifyUserToken(rs256(rsa, c), false);
        assertThat(user.identity().userId()).isEqualTo("alice.smith");
        assertThat(user.identity().topicGrants()).containsExactlyInAnyOrder("task:a", "task:b", "build:*", "deploy:*");
        assertThat(user.streamToken()).isFalse();
    }

    @Test
    void theIssuerAndTheAudienceAreRequired() throws Exception {
        Authenticator auth = authenticator(provider());
        assertThatThrownBy(() -> auth.verifyUserToken(rs256(rsa, claims().issuer("https://evil.example").build()), false))
                .hasMessageContaining("issued by https://evil.example, not by " + ISSUER);
        assertThatThrownBy(() -> auth.verifyUserToken(rs256(rsa, claims().audience((String) null).build()), false))
                .hasMessageContaining("no audience");
        assertThatThrownBy(() -> new ServerSettings.IdentityProvider(provider().jwksUrl(), ISSUER, List.of(), null, null, null, null, null, null))
                .hasMessageContaining("jwt-audience is required");
        assertThatThrownBy(() -> ServerSettings.IdentityProvider.of(provider().jwksUrl(), " ", AUDIENCE))
                .hasMessageContaining("jwt-issuer is required");
    }

    @Test
    void withoutAProviderOnlyHs256IsAccepted() throws Exception {
        Authenticator auth = new Authenticator("test-api-key-0123456789", "test-jwt-secret-0123456789abcdef0123456789", Clock.systemUTC());
        assertThatThrownBy(() -> auth.verifyUserToken(rs256(rsa, claims().build()), false))
                .hasMessageContaining("signed with RS256; only HS256 tokens signed with the server's secret are accepted");
    }
}
