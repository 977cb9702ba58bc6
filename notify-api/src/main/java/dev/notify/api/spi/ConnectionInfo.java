package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A live connection, as the admin API lists it.
 *
 * @param channel the channel
 * @param clientId the connection's id
 * @param userId its user
 * @param topics its topics
 * @param connectedAt when it subscribed
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record ConnectionInfo(String channel, String clientId, String userId, Set<String> topics, Instant connectedAt) {

    /** Validates and copies the components. */
    public ConnectionInfo {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(userId, "userId");
        topics = Set.copyOf(topics);
        Objects.requireNonNull(connectedAt, "connectedAt");
    }
}
