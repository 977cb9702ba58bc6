package dev.notify.api;

/**
 * Matching of topic patterns: a pattern is a topic, or a prefix ending in {@code *}
 * ({@code task:*} matches {@code task:abc123}), or {@code *} alone for every topic.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class TopicPatterns {

    private TopicPatterns() {
    }

    /** Whether {@code pattern} matches the concrete {@code topic}. */
    public static boolean matches(String pattern, String topic) {
        if (pattern.endsWith("*")) {
            return topic.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(topic);
    }

    /**
     * Whether everything {@code requested} (a topic or a pattern) can match is also matched by
     * {@code grant}: {@code task:*} covers {@code task:abc} and {@code task:a*}, not {@code *}.
     */
    public static boolean covers(String grant, String requested) {
        if (grant.endsWith("*")) {
            String prefix = grant.substring(0, grant.length() - 1);
            String req = requested.endsWith("*") ? requested.substring(0, requested.length() - 1) : requested;
            return req.startsWith(prefix);
        }
        return grant.equals(requested);
    }
}
