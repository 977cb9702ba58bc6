package dev.notify.api;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The topic grammar, in one place, and matching of topic patterns. A topic is letters, digits and
 * {@code _ . : @ / + = -}, starting with a letter, digit or {@code _}, at most
 * {@value #MAX_LENGTH} characters ({@code task:abc123}); a pattern is a topic, or a prefix ending
 * in {@code *} ({@code task:*} matches {@code task:abc123}), or {@code *} alone for every topic.
 *
 * <pre>{@code
 * TopicPatterns.problemWithPattern(param).ifPresent(p -> { throw new IllegalArgumentException(p); });
 * }</pre>
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class TopicPatterns {

    /** Longest topic or pattern, in characters. */
    public static final int MAX_LENGTH = 256;

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@/+=-]*");
    private static final Pattern PATTERN = Pattern.compile("\\*|[A-Za-z0-9_][A-Za-z0-9_.:@/+=-]*\\*?");

    private TopicPatterns() {
    }

    /**
     * What is wrong with {@code topic} as a concrete topic (one a notification is published to),
     * in one sentence that quotes a printable prefix of it; empty when it is a valid topic.
     *
     * @since 0.3
     */
    public static Optional<String> problemWithTopic(String topic) {
        return problem(topic, TOPIC, "");
    }

    /**
     * What is wrong with {@code pattern} as a subscription (a topic, {@code prefix*} or {@code *});
     * empty when it is valid.
     *
     * @since 0.3
     */
    public static Optional<String> problemWithPattern(String pattern) {
        return problem(pattern, PATTERN, ", optionally ending in * for a prefix pattern");
    }

    private static Optional<String> problem(String value, Pattern grammar, String patternHint) {
        if (value == null) {
            return Optional.of("a topic must not be null");
        }
        if (value.length() > MAX_LENGTH) {
            return Optional.of("topic '" + Excerpts.of(value, 64) + "' is " + value.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        if (!grammar.matcher(value).matches()) {
            return Optional.of("topic '" + Excerpts.of(value, 64) + "' is not a topic: use letters, digits and _ . : @ / + = -"
                    + patternHint);
        }
        return Optional.empty();
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
