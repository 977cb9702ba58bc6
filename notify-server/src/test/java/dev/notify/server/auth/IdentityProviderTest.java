package dev.notify.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.notify.server.ServerSettings;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens from a real OpenID provider ({@link OidcProvider}: the npm package oidc-provider issuing
 * RFC 9068 JWT access tokens), checked by a real server configured with the provider's JWKS,
 * issuer and audience, as an operator would with Keycloak or Auth0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("User tokens from an identity provider")
class IdentityProviderTest {

    private OidcProvider provider;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        provider = OidcProvider.start();
        // no refresh floor here, so the rotation below is seen at once; IdentityProviderKeysTest covers the floor
        server = TestServer.start(s -> s.jwtClockSkew(Duration.ZERO).identityProvider(
                ServerSettings.IdentityProvider.of(provider.jwksUri(), provider.issuer(), OidcProvider.NOTIFY_AUDIENCE)
                        .withScopeTopics(Map.of("notify:builds", List.of("build:*")))
                        .withJwksCaching(Duration.ofMinutes(5), Duration.ZERO)));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    private void assertUnauthorized(HttpResponse<String> r, String detail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.body()).contains(detail);
    }

    @Test
    void anRs256AccessTokenOfTheProviderReadsTheInboxOfItsSubject() throws Exception {
        server.publish("{\"recipients\":[\"alice\"],\"title\":\"for alice via the provider\"}");
        HttpResponse<String> inbox = server.get("/api/v1/notifications", provider.token(OidcProvider.NOTIFY_AUDIENCE, "notify:tasks"));
        assertThat(inbox.statusCode()).as(inbox.body()).isEqualTo(200);
        assertThat(inbox.body()).contains("for alice via the provider");
    }

    @Test
    void anEs256AccessTokenIsAcceptedToo() throws Exception {
        String token = provider.token(OidcProvider.NOTIFY_AUDIENCE + "/es256", "notify:tasks");
        assertThat(SignedJWT.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(server.get("/api/v1/notifications/stats", token).statusCode()).isEqualTo(200);
    }

    @Test
    void topicGrantsComeFromTheTopicsClaimAndFromMappedScopes() throws Exception {
        HttpResponse<String> r = server.post("/api/v1/stream-tokens",
                provider.token(OidcProvider.NOTIFY_AUDIENCE, "notify:tasks notify:builds"), "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JWTClaimsSet streamToken = SignedJWT.parse((String) server.json(r).get("token")).getJWTClaimsSet();
        assertThat(streamToken.getSubject()).isEqualTo("alice");
        assertThat(streamToken.getStringListClaim("topics")).containsExactlyInAnyOrder("task:*", "build:*");
    }

    @Test
    void aTokenTheProviderIssuedForAnotherAudienceIsRefused() throws Exception {
        assertUnauthorized(server.get("/api/v1/notifications", provider.token(OidcProvider.OTHER_AUDIENCE, "notify:tasks")),
                "audience [" + OidcProvider.OTHER_AUDIENCE + "]");
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String token = provider.token(OidcProvider.NOTIFY_AUDIENCE + "/short", "notify:tasks");
        Instant exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
        // the provider's clock is the wall clock, so only real time makes its token expire (1 s lifetime, no skew)
        while (!Instant.now().isAfter(exp.plusMillis(200))) {
            Thread.sleep(100);
        }
        assertUnauthorized(server.get("/api/v1/notifications", token), "the token expired at");
    }

    @Test
    void afterTheProviderRotatesItsKeysNewTokensWorkAndTokensOfTheRemovedKeysDoNot() throws Exception {
        String before = provider.token(OidcProvider.NOTIFY_AUDIENCE, "notify:tasks");
        assertThat(server.get("/api/v1/notifications", before).statusCode()).isEqualTo(200);

        provider.rotateKeys();
        String after = provider.token(OidcProvider.NOTIFY_AUDIENCE, "notify:tasks");
        assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isNotEqualTo(SignedJWT.parse(before).getHeader().getKeyID());

        assertThat(server.get("/api/v1/notifications", after).statusCode()).as("a token of the new key: the JWKS is fetched again").isEqualTo(200);
        assertUnauthorized(server.get("/api/v1/notifications", before), "does not verify with the identity provider's keys");
    }

    @Test
    void anHs256TokenSignedWithTheProvidersPublicKeyIsRefused() throws Exception {
        RSAKey publicKey = (RSAKey) JWKSet.parse(provider.jwks()).getKeys().stream().filter(k -> k instanceof RSAKey).findFirst().orElseThrow();
        JWTClaimsSet claims = claims();
        for (byte[] secret : List.of(publicKey.toRSAPublicKey().getEncoded(), publicKey.toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                publicKey.getModulus().decode())) {
            SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(publicKey.getKeyID()).build(), claims);
            forged.sign(new MACSigner(secret));
            assertUnauthorized(server.get("/api/v1/notifications", forged.serialize()), "the token's signature is invalid");
        }
    }

    @Test
    void anUnsignedTokenIsRefused() throws Exception {
        assertUnauthorized(server.get("/api/v1/notifications", new PlainJWT(claims()).serialize()), "unsigned (alg: none)");
    }

    @Test
    void aProviderTokenIsNoStreamTokenInTheQueryString() throws Exception {
        String token = provider.token(OidcProvider.NOTIFY_AUDIENCE, "notify:tasks");
        assertUnauthorized(server.get("/api/v1/notifications/poll?token=" + token, null), "only stream tokens");
    }

    @Test
    void theServersOwnHs256TokensStillWork() {
        assertThat(server.get("/api/v1/notifications", server.jwt("bob")).statusCode()).isEqualTo(200);
    }

    private JWTClaimsSet claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(provider.issuer()).audience(OidcProvider.NOTIFY_AUDIENCE).subject("alice")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build();
    }
}
