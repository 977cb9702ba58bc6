package dev.notify.api;

import java.util.Objects;

/**
 * Who an event-log entry is for: one user, or everyone subscribed to one topic.
 * A notification to users {@code u1, u2} on topic {@code t} has three entries, one per audience.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public sealed interface Audience permits Audience.User, Audience.Topic {

    /** A user audience. */
    static Audience user(String userId) {
        return new User(userId);
    }

    /** A topic audience. */
    static Audience topic(String topic) {
        return new Topic(topic);
    }

    /**
     * One user.
     *
     * @param userId the user id
     */
    record User(String userId) implements Audience {
        /** Validates the id. */
        public User {
            Objects.requireNonNull(userId, "userId");
        }
    }

    /**
     * Every subscriber of one topic.
     *
     * @param topic the topic
     */
    record Topic(String topic) implements Audience {
        /** Validates the topic. */
        public Topic {
            Objects.requireNonNull(topic, "topic");
        }
    }
}
