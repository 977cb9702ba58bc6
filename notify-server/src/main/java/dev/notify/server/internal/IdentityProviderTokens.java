package dev.notify.server.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.notify.server.ServerSettings;

import java.net.MalformedURLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies the signature of tokens an identity provider (Keycloak, Auth0, Okta, Entra ID, ...)
 * signs with the keys it publishes as a JWKS. The key set is fetched on first use, cached, and
 * fetched again when a token names a {@code kid} the cache does not hold (the provider rotated its
 * keys), but never more often than the configured floor, so a stream of tokens with made-up
 * {@code kid}s cannot turn the server into a load generator against the provider.
 *
 * <p>Only asymmetric algorithms are accepted here (RSA and EC; why not EdDSA: see
 * {@code ServerSettings.IdentityProvider.SUPPORTED_ALGORITHMS}): a token whose header says HS256 is
 * never verified with a key from the JWKS (the "public key as HMAC secret" confusion), and
 * {@code alg: none} never reaches this class. Claims (issuer, audience, expiry) are checked by
 * {@link Authenticator}, with the server's clock and messages fit for a 401.
 */
final class IdentityProviderTokens {

    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final ServerSettings.IdentityProvider settings;

    IdentityProviderTokens(ServerSettings.IdentityProvider settings) {
        this.settings = settings;
        this.algorithms = algorithms(settings.algorithms());
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(settings.jwksUrl().toURL(),
                            new DefaultResourceRetriever(5_000, 5_000, 512 * 1024))
                    .cache(settings.jwksCacheTtl().toMillis(), 10_000)
                    .rateLimited(settings.jwksRefreshFloor().toMillis())
                    .refreshAheadCache(false)
                    .retrying(true)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwt-jwks-url is not a URL: " + settings.jwksUrl(), e);
        }
        processor = new DefaultJWTProcessor<>();
        // RFC 9068 access tokens say "at+jwt"; Keycloak, Auth0 and Entra ID send "JWT" or nothing
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        // the Authenticator checks iss, aud, exp and nbf itself, against the server's clock
        processor.setJWTClaimsSetVerifier(null);
    }

    /** The settings these tokens are checked against. */
    ServerSettings.IdentityProvider settings() {
        return settings;
    }

    /** Whether a token signed with {@code alg} is one for this class. */
    boolean accepts(JWSAlgorithm alg) {
        return algorithms.contains(alg);
    }

    /** The accepted algorithms, for error messages. */
    Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    /**
     * The claims of a token whose signature verifies with one of the provider's keys.
     *
     * @throws Authenticator.AuthException when it does not, or the key set cannot be fetched
     */
    JWTClaimsSet verify(SignedJWT jwt) {
        try {
            return processor.process(jwt, null);
        } catch (BadJOSEException e) {
            throw new Authenticator.AuthException("the token's signature does not verify with the identity provider's keys ("
                    + e.getMessage() + ")");
        } catch (JOSEException e) {
            throw new Authenticator.AuthException("the identity provider's keys cannot be used: " + e.getMessage());
        }
    }

    private static Set<JWSAlgorithm> algorithms(List<String> names) {
        // ServerSettings.IdentityProvider accepted only names of SUPPORTED_ALGORITHMS: asymmetric ones
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        names.forEach(name -> out.add(JWSAlgorithm.parse(name)));
        return Set.copyOf(out);
    }
}
