package dev.notify.channel.sse.internal;

import dev.notify.api.Excerpts;
import dev.notify.api.TopicPatterns;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Optional;
import java.util.Set;

/**
 * The parameters of a stream request, parsed and checked before anything is subscribed.
 *
 * @param topics the requested topics and {@code prefix*} patterns, in request order
 * @param resumeAfter the sequence to replay after ({@code Last-Event-ID}), if given
 */
public record StreamParams(Set<String> topics, OptionalLong resumeAfter) {

    /** Copies the topics. */
    public StreamParams {
        topics = Collections.unmodifiableSet(new LinkedHashSet<>(topics));
    }

    /** A parameter that does not parse; the servlet answers 400 with this message. */
    public static final class BadParameter extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadParameter(String message) {
            super(message);
        }
    }

    /**
     * Parses the request's parameters.
     *
     * @param topicsParam the {@code topics} query parameter (comma-separated), or null
     * @param lastEventIdHeader the {@code Last-Event-ID} header, or null; it wins over the query parameter
     * @param lastEventIdParam the {@code lastEventId} query parameter, or null
     * @param maxTopics the most topics allowed
     * @throws BadParameter when a value does not parse
     */
    public static StreamParams parse(String topicsParam, String lastEventIdHeader, String lastEventIdParam, int maxTopics) {
        return new StreamParams(parseTopics(topicsParam, maxTopics), parseLastEventId(lastEventIdHeader, lastEventIdParam));
    }

    /** Parses a comma-separated topic list: items trimmed, empty items dropped, duplicates merged. */
    public static Set<String> parseTopics(String param, int maxTopics) {
        Set<String> out = new LinkedHashSet<>();
        if (param == null) {
            return out;
        }
        for (String raw : param.split(",", -1)) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            Optional<String> problem = TopicPatterns.problemWithPattern(t);
            if (problem.isPresent()) {
                throw new BadParameter(problem.get());
            }
            out.add(t);
            if (out.size() > maxTopics) {
                throw new BadParameter("at most " + maxTopics + " topics may be subscribed on one connection");
            }
        }
        return out;
    }

    /** Parses the resume position: the header if present, else the query parameter. */
    public static OptionalLong parseLastEventId(String header, String param) {
        String source = header != null && !header.isBlank() ? "Last-Event-ID" : "lastEventId";
        String v = header != null && !header.isBlank() ? header : param;
        if (v == null || v.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new BadParameter(source + " must not be negative, got " + n);
            }
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new BadParameter(source + " '" + Excerpts.of(v, 64) + "' is not an event id (a whole number from an earlier id: line)");
        }
    }

}
