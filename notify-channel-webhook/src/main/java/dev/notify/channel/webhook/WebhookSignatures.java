package dev.notify.channel.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The two signatures every webhook delivery carries, for senders and for receivers that verify:
 *
 * <ul>
 *   <li>{@code X-Webhook-Signature: sha256=<hex>}: HMAC-SHA256 of the raw body, keyed with the
 *       UTF-8 bytes of the whole secret string as the endpoint received it ({@code whsec_...}),
 *       the way GitHub-style receivers compute it;</li>
 *   <li>Standard Webhooks v1 ({@code webhook-signature: v1,<base64>}): HMAC-SHA256 of
 *       {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the base64-decoded part of
 *       the secret after {@code whsec_}. During a secret rotation the header carries one
 *       space-separated signature per secret.</li>
 * </ul>
 *
 * <pre>{@code
 * String expected = WebhookSignatures.standard(secret, id, timestamp, body);   // "v1,..."
 * boolean ok = WebhookSignatures.verifyStandard(secret, id, timestamp, body, header);
 * }</pre>
 */
public final class WebhookSignatures {

    /** The prefix of every secret. */
    public static final String SECRET_PREFIX = "whsec_";

    private WebhookSignatures() {
    }

    /** {@code sha256=<hex HMAC-SHA256 of body>} keyed with the secret string's UTF-8 bytes. */
    public static String legacy(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    /**
     * A signer for one secret: both HMAC keys are set up once, and every signature starts from a
     * copy of the keyed MAC (a sender signing many deliveries with the same secret keeps one).
     * Thread-safe.
     *
     * @throws IllegalArgumentException when the secret is not {@code whsec_} + base64
     */
    public static Signer signer(String secret) {
        return new Signer(secret);
    }

    /** Signs with one secret; see {@link #signer(String)}. */
    public static final class Signer {
        private final Mac legacyMac;
        private final Mac standardMac;

        private Signer(String secret) {
            this.legacyMac = keyed(secret.getBytes(StandardCharsets.UTF_8));
            this.standardMac = keyed(standardKey(secret));
        }

        /** {@code sha256=<hex>} of the body. */
        public String legacy(byte[] body) {
            Mac mac = copy(legacyMac);
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        }

        /** {@code v1,<base64>} over {@code id.timestamp.body}, the body given as its UTF-8 bytes. */
        public String standard(String id, long timestamp, byte[] body) {
            Mac mac = copy(standardMac);
            mac.update(id.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            mac.update(Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        }

        private static Mac copy(Mac keyed) {
            try {
                return (Mac) keyed.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("this JDK's HmacSHA256 cannot be copied", e);
            }
        }

        private static Mac keyed(byte[] key) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.clone(); // fail here, once, rather than at every signature
                return mac;
            } catch (GeneralSecurityException | CloneNotSupportedException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JDK or cannot be copied", e);
            }
        }
    }

    /**
     * The Standard Webhooks v1 signature, {@code v1,<base64>}.
     *
     * @throws IllegalArgumentException when the secret is not {@code whsec_} + base64
     */
    public static String standard(String secret, String id, long timestamp, String body) {
        byte[] content = (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        return "v1," + Base64.getEncoder().encodeToString(hmac(standardKey(secret), content));
    }

    /** Whether one of the space-separated signatures of a {@code webhook-signature} header matches. */
    public static boolean verifyStandard(String secret, String id, long timestamp, String body, String header) {
        byte[] expected = standard(secret, id, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        for (String candidate : header.trim().split(" +")) {
            if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    /** The HMAC key of a {@code whsec_} secret: the base64-decoded part after the prefix. */
    static byte[] standardKey(String secret) {
        String b64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret is 'whsec_' followed by base64", e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
