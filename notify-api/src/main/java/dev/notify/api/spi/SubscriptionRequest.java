package dev.notify.api.spi;

import dev.notify.api.Api;

import java.util.Objects;
import java.util.Set;

/**
 * What a stream connection subscribes to.
 *
 * @param channel the channel the connection belongs to ({@code sse}, {@code ws}, ...)
 * @param clientId a unique id of the connection
 * @param userId the authenticated user; entries for this user always reach the connection
 * @param topics topics or patterns the connection also receives; callers check them against the user's grants first
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record SubscriptionRequest(String channel, String clientId, String userId, Set<String> topics) {

    /** Validates and copies the components. */
    public SubscriptionRequest {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(userId, "userId");
        topics = Set.copyOf(topics);
    }
}
