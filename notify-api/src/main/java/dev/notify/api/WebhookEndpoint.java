package dev.notify.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A registered webhook receiver, as the store keeps it.
 *
 * @param id the endpoint id
 * @param url the http(s) URL deliveries are POSTed to
 * @param secret the current signing secret ({@code whsec_...}); never listed or logged
 * @param previousSecret the secret before the last rotation, still signing until {@code previousSecretExpiresAt}
 * @param previousSecretExpiresAt when the previous secret stops signing
 * @param topics topic filter (topics or patterns); empty means every topic
 * @param events event filter (names or patterns such as {@code task.*}); empty means every event
 * @param description free text
 * @param enabled whether deliveries are made
 * @param consecutiveFailures failed attempts since the last success
 * @param failingSince when the current run of failures began
 * @param createdAt when it was registered
 * @param updatedAt when it last changed
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public record WebhookEndpoint(String id, String url, String secret, Optional<String> previousSecret,
                              Optional<Instant> previousSecretExpiresAt, Set<String> topics, Set<String> events,
                              String description, boolean enabled, int consecutiveFailures,
                              Optional<Instant> failingSince, Instant createdAt, Instant updatedAt) {

    /** Validates and copies the components. */
    public WebhookEndpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(previousSecret, "previousSecret");
        Objects.requireNonNull(previousSecretExpiresAt, "previousSecretExpiresAt");
        topics = Set.copyOf(topics);
        events = Set.copyOf(events);
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(failingSince, "failingSince");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** The record without its secrets' values, safe to log. */
    @Override
    public String toString() {
        return "WebhookEndpoint[id=" + id + ", url=" + url + ", enabled=" + enabled + ", topics=" + topics
                + ", events=" + events + ", consecutiveFailures=" + consecutiveFailures + "]";
    }
}
