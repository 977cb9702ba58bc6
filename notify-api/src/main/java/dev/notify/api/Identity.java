package dev.notify.api;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated user of the streams and the inbox: a user id and the topics they may
 * subscribe to. A grant is a topic ({@code task:abc123}) or a prefix pattern ending in
 * {@code *} ({@code task:*}); a lone {@code *} grants every topic.
 *
 * <p>The server sets it as the request attribute {@link #REQUEST_ATTRIBUTE} on every
 * authenticated request, so servlet-based channels find it without knowing the server.
 *
 * @param userId the user id ({@code sub} of the token)
 * @param topicGrants the topics and patterns the user may subscribe to
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Identity(String userId, Set<String> topicGrants) {

    /** The request attribute under which the server stores the caller's {@code Identity}. */
    public static final String REQUEST_ATTRIBUTE = "dev.notify.identity";

    /**
     * The request attribute under which the server stores the {@link java.time.Instant} at which the
     * caller's credential expires; absent when it does not expire. A stream channel ends a stream
     * opened with it then, telling the client to authenticate again.
     *
     * @since 0.3
     */
    public static final String EXPIRES_AT_ATTRIBUTE = "dev.notify.identity.expires-at";

    /** Copies the grants. */
    public Identity {
        Objects.requireNonNull(userId, "userId");
        topicGrants = Set.copyOf(topicGrants);
    }

    /** Whether the user may subscribe to {@code topic} (a concrete topic or a pattern). */
    public boolean mayRead(String topic) {
        for (String grant : topicGrants) {
            if (TopicPatterns.covers(grant, topic)) {
                return true;
            }
        }
        return false;
    }
}
