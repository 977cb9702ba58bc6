package dev.notify.server.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.notify.api.Identity;
import dev.notify.server.ServerSettings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks credentials: the publishers' API key (constant-time comparison) and users' JWTs, and
 * mints the short-lived stream tokens that EventSource clients pass as {@code ?token=}.
 *
 * <p>A user JWT is either the server's own, HS256 with the JWT secret ({@code sub}, {@code exp},
 * optional {@code topics}: what {@code notify-server token} and the stream tokens are), or, when
 * an {@link ServerSettings.IdentityProvider identity provider} is configured, one it signed with a
 * key of its JWKS (RS256/ES256), issued by the configured issuer for the configured audience, the
 * user id and topic grants read from the configured claims. The header's {@code alg} picks the
 * path, and each path accepts only its own algorithms, so an HS256 token "signed" with the
 * provider's public key is checked against the secret and fails, and {@code alg: none} is refused.
 * Stream tokens are JWTs of the secret with the claim {@code "use":"stream"}, so no server-side
 * state is needed and any node verifies them.
 */
public final class Authenticator {

    /** The claim listing a user's topic grants (topics or {@code prefix:*} patterns). */
    public static final String TOPICS_CLAIM = "topics";
    private static final String USE_CLAIM = "use";
    private static final String STREAM_USE = "stream";
    private static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    private final byte[] apiKey;
    private final String apiKeyId;
    private final byte[] jwtSecret;
    private final MACVerifier verifier;
    private final MACSigner signer;
    private final Clock clock;
    private final Duration clockSkew;
    private final IdentityProviderTokens identityProvider;

    /** An authenticator for this API key and JWT secret, accepting only HS256 user tokens. */
    public Authenticator(String apiKey, String jwtSecret, Clock clock) {
        this(apiKey, jwtSecret, Optional.empty(), DEFAULT_CLOCK_SKEW, clock);
    }

    /** An authenticator that also accepts the tokens of an identity provider, with this tolerance on exp and nbf. */
    public Authenticator(String apiKey, String jwtSecret, Optional<ServerSettings.IdentityProvider> identityProvider,
                         Duration clockSkew, Clock clock) {
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.apiKeyId = "key-" + HexFormat.of().formatHex(sha256(this.apiKey), 0, 6);
        this.jwtSecret = jwtSecret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.identityProvider = identityProvider.map(IdentityProviderTokens::new).orElse(null);
        try {
            this.verifier = new MACVerifier(this.jwtSecret);
            this.signer = new MACSigner(this.jwtSecret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwt-secret is not usable for HS256: " + e.getMessage(), e);
        }
    }

    /** The non-secret id of the API key. */
    public String apiKeyId() {
        return apiKeyId;
    }

    /** Whether {@code presented} is the API key, compared in constant time. */
    public boolean isApiKey(String presented) {
        return presented != null && MessageDigest.isEqual(sha256(apiKey), sha256(presented.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The user a JWT or stream token stands for.
     *
     * @param streamTokenOnly accept only stream tokens (a credential from the query string)
     * @throws AuthException with a reason fit for a 401 response
     */
    public Caller.User verifyUserToken(String token, boolean streamTokenOnly) {
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new AuthException("the token is not a JWT");
        }
        if (parsed instanceof PlainJWT) {
            throw new AuthException("the token is unsigned (alg: none); tokens must be signed");
        }
        if (!(parsed instanceof SignedJWT jwt)) {
            throw new AuthException("the token is encrypted (JWE); send a signed token (JWS)");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (JWSAlgorithm.HS256.equals(alg)) {
            return ownToken(jwt, streamTokenOnly);
        }
        if (identityProvider == null) {
            throw new AuthException("the token is signed with " + alg + "; only HS256 tokens signed with the server's secret are"
                    + " accepted (configure --jwt-jwks-url to accept an identity provider's tokens)");
        }
        if (!identityProvider.accepts(alg)) {
            throw new AuthException("the token is signed with " + alg + "; accepted: HS256 (the server's own) and "
                    + identityProvider.algorithms() + " (the identity provider's)");
        }
        if (streamTokenOnly) {
            throw new AuthException("only stream tokens (POST /api/v1/stream-tokens) may be passed as ?token=; send JWTs as Authorization: Bearer");
        }
        return providerToken(identityProvider.verify(jwt));
    }

    private Caller.User ownToken(SignedJWT jwt, boolean streamTokenOnly) {
        try {
            if (!jwt.verify(verifier)) {
                throw new AuthException("the token's signature is invalid");
            }
        } catch (JOSEException e) {
            throw new AuthException("the token's signature cannot be checked: " + e.getMessage());
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AuthException("the token's claims are malformed");
        }
        checkTimes(claims);
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank()) {
            throw new AuthException("the token has no sub claim (the user id)");
        }
        if (sub.chars().anyMatch(Character::isISOControl)) {
            // a user id ends up in log lines and stream frames: a CR/LF in it would forge either
            throw new AuthException("the token's sub claim contains control characters");
        }
        boolean stream = STREAM_USE.equals(claims.getClaim(USE_CLAIM));
        if (streamTokenOnly && !stream) {
            throw new AuthException("only stream tokens (POST /api/v1/stream-tokens) may be passed as ?token=; send JWTs as Authorization: Bearer");
        }
        return new Caller.User(new Identity(sub, topics(TOPICS_CLAIM, claims.getClaim(TOPICS_CLAIM))), stream,
                claims.getExpirationTime().toInstant());
    }

    private Caller.User providerToken(JWTClaimsSet claims) {
        ServerSettings.IdentityProvider idp = identityProvider.settings();
        if (!idp.issuer().equals(claims.getIssuer())) {
            throw new AuthException("the token was issued by " + (claims.getIssuer() == null ? "nobody (no iss claim)" : claims.getIssuer())
                    + ", not by " + idp.issuer());
        }
        List<String> aud = claims.getAudience();
        if (aud.stream().noneMatch(idp.audiences()::contains)) {
            throw new AuthException("the token is for " + (aud.isEmpty() ? "no audience (no aud claim)" : "audience " + aud)
                    + ", not for " + idp.audiences());
        }
        checkTimes(claims);
        Object user = claims.getClaim(idp.userClaim());
        if (!(user instanceof String userId) || userId.isBlank()) {
            throw new AuthException("the token has no " + idp.userClaim() + " claim (the user id)");
        }
        if (userId.chars().anyMatch(Character::isISOControl)) {
            // a user id ends up in log lines and stream frames: a CR/LF in it would forge either
            throw new AuthException("the token's " + idp.userClaim() + " claim contains control characters");
        }
        Set<String> grants = topics(idp.topicsClaim(), claims.getClaim(idp.topicsClaim()));
        for (String scope : scopes(claims)) {
            grants.addAll(idp.scopeTopics().getOrDefault(scope, List.of()));
        }
        // an identity provider's token is never a stream token, whatever claims it carries
        // an open stream ends when this token expires (Caller.User#expiresAt)
        return new Caller.User(new Identity(userId, grants), false, claims.getExpirationTime().toInstant());
    }

    private void checkTimes(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new AuthException("the token has no exp claim; tokens must expire");
        }
        if (now.isAfter(exp.toInstant().plus(clockSkew))) {
            throw new AuthException("the token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
            throw new AuthException("the token is not valid before " + nbf.toInstant());
        }
    }

    /** The scopes of RFC 9068 {@code scope} (space-separated; Keycloak, Auth0) and of {@code scp} (a list or string; Okta, Entra ID). */
    private static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : List.of("scope", "scp")) {
            Object claim = claims.getClaim(name);
            if (claim instanceof String s) {
                for (String scope : s.trim().split("\\s+")) {
                    if (!scope.isEmpty()) {
                        out.add(scope);
                    }
                }
            } else if (claim instanceof List<?> list) {
                list.forEach(o -> out.add(String.valueOf(o)));
            }
        }
        return out;
    }

    /**
     * Mints a stream token for the user, valid for {@code ttl} but never past {@code notAfter}, the
     * expiry of the credential it is minted from: a stream token must not outlive its parent.
     */
    public StreamToken mintStreamToken(Identity identity, Duration ttl, Instant notAfter) {
        Instant now = clock.instant();
        Instant wanted = now.plus(ttl);
        Instant expires = wanted.isAfter(notAfter) ? notAfter : wanted;
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(identity.userId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .claim(USE_CLAIM, STREAM_USE)
                .claim(TOPICS_CLAIM, new ArrayList<>(identity.topicGrants()))
                .build();
        return new StreamToken(sign(claims), expires);
    }

    /** Signs claims with the JWT secret (also used by tests and tools to mint user tokens). */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    private static Set<String> topics(String name, Object claim) {
        Set<String> out = new LinkedHashSet<>();
        if (claim == null) {
            return out;
        }
        if (claim instanceof String s) {
            for (String t : s.split("[,\\s]+")) {
                if (!t.isBlank()) {
                    out.add(t.trim());
                }
            }
            return out;
        }
        if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw new AuthException("the token's " + name + " claim must list topic names, got " + o);
                }
                out.add(s.trim());
            }
            return out;
        }
        throw new AuthException("the token's " + name + " claim must be a list of topics");
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A minted stream token.
     *
     * @param token the token
     * @param expiresAt when it stops being accepted
     */
    public record StreamToken(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "StreamToken[expiresAt=" + expiresAt + "]";
        }
    }

    /** A credential was refused; the message says why and is safe to return (it never contains the credential). */
    public static final class AuthException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AuthException(String message) {
            super(message, null, false, false);
        }
    }
}
