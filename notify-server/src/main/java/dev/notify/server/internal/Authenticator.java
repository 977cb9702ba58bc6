package dev.notify.server.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.notify.api.Identity;

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
import java.util.Set;

/**
 * Checks credentials: the publishers' API key (constant-time comparison) and users' HS256 JWTs
 * ({@code sub}, {@code exp}, optional {@code topics}), and mints the short-lived stream tokens
 * that EventSource clients pass as {@code ?token=}. Stream tokens are JWTs of the same secret
 * with the claim {@code "use":"stream"}, so no server-side state is needed and any node verifies them.
 */
public final class Authenticator {

    /** The claim listing a user's topic grants (topics or {@code prefix:*} patterns). */
    public static final String TOPICS_CLAIM = "topics";
    private static final String USE_CLAIM = "use";
    private static final String STREAM_USE = "stream";
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private final byte[] apiKey;
    private final String apiKeyId;
    private final byte[] jwtSecret;
    private final MACVerifier verifier;
    private final MACSigner signer;
    private final Clock clock;

    /** An authenticator for this API key and JWT secret. */
    public Authenticator(String apiKey, String jwtSecret, Clock clock) {
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.apiKeyId = "key-" + HexFormat.of().formatHex(sha256(this.apiKey), 0, 6);
        this.jwtSecret = jwtSecret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
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
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new AuthException("the token is not a JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new AuthException("the token is signed with " + jwt.getHeader().getAlgorithm() + "; only HS256 is accepted");
        }
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
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new AuthException("the token has no exp claim; tokens must expire");
        }
        if (now.isAfter(exp.toInstant().plus(CLOCK_SKEW))) {
            throw new AuthException("the token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf.toInstant())) {
            throw new AuthException("the token is not valid before " + nbf.toInstant());
        }
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
        return new Caller.User(new Identity(sub, topics(claims.getClaim(TOPICS_CLAIM))), stream, exp.toInstant());
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

    private static Set<String> topics(Object claim) {
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
                    throw new AuthException("the token's topics claim must list topic names, got " + o);
                }
                out.add(s.trim());
            }
            return out;
        }
        throw new AuthException("the token's topics claim must be a list of topics");
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
