package dev.notify.channel.webhook;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignaturesTest {

    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330L;
    private static final String SPEC_BODY = "{\"test\": 2432232314}";
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    @DisplayName("the Standard Webhooks signature matches the specification's published test vector")
    void matchesTheSpecificationVector() {
        assertThat(WebhookSignatures.standard(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    @DisplayName("the standardwebhooks library signs the vector the same way")
    void agreesWithTheReferenceLibrary() throws Exception {
        assertThat(new Webhook(SPEC_SECRET).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    @DisplayName("verification accepts any of several space-separated signatures and rejects a tampered body")
    void verifiesOneOfSeveral() {
        String other = WebhookSignatures.standard("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]),
                SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        String header = other + " " + SPEC_SIGNATURE;
        assertThat(WebhookSignatures.verifyStandard(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, header)).isTrue();
        assertThat(WebhookSignatures.verifyStandard(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY + " ", header)).isFalse();
    }

    @Test
    @DisplayName("X-Webhook-Signature is sha256= and the hex HMAC of the body keyed with the secret string")
    void legacySignatureIsHexHmacOfTheBody() throws Exception {
        byte[] body = "{\"task_id\":\"abc123\"}".getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SPEC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(WebhookSignatures.legacy(SPEC_SECRET, body)).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(body)));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("a Signer (keys set up once) gives the same signatures as the one-shot methods, the vector included")
    void signerMatchesTheOneShotMethods() {
        WebhookSignatures.Signer signer = WebhookSignatures.signer(SPEC_SECRET);
        byte[] body = SPEC_BODY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) { // the keyed MAC is copied, never consumed
            assertThat(signer.standard(SPEC_ID, SPEC_TIMESTAMP, body)).isEqualTo(SPEC_SIGNATURE);
            assertThat(signer.legacy(body)).isEqualTo(WebhookSignatures.legacy(SPEC_SECRET, body));
        }
        byte[] unicode = "{\"t\":\"h\u00e9\u2713\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(signer.standard("msg_\u00e9", 42, unicode))
                .isEqualTo(WebhookSignatures.standard(SPEC_SECRET, "msg_\u00e9", 42, new String(unicode, java.nio.charset.StandardCharsets.UTF_8)));
    }
}
