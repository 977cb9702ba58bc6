package dev.notify.channel.poll.internal;

import dev.notify.api.Excerpts;
import dev.notify.api.TopicPatterns;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The parameters of a poll, parsed and checked before anything is read.
 *
 * @param after answer events with a larger sequence than this
 * @param waitMillis how long to hold the request when nothing is there yet; 0 answers at once
 * @param limit the most events in the answer
 * @param topics the requested topics and {@code prefix*} patterns
 */
public record PollParams(long after, long waitMillis, int limit, Set<String> topics) {

    private static final int MAX_WAIT_LENGTH = 32;

    /** Copies the topics. */
    public PollParams {
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
     * Parses the query parameters (each may be null).
     *
     * @throws BadParameter naming the parameter and what it accepts
     */
    public static PollParams parse(String after, String wait, String limit, String topics, PollSettings settings) {
        return new PollParams(parseAfter(after), parseWait(wait, settings.maxWait().toMillis()),
                parseLimit(limit, settings.defaultLimit(), settings.maxLimit()), parseTopics(topics, settings.maxTopics()));
    }

    static long parseAfter(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw new BadParameter("after='" + Excerpts.of(v, 64) + "' is not a sequence: pass 0 or the last_seq of the previous answer");
    }

    static long parseWait(String v, long maxMillis) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        BigDecimal seconds;
        try {
            // a client's text: its length is bounded before BigDecimal reads it (the exponent is compared, never expanded)
            if (v.trim().length() > MAX_WAIT_LENGTH) {
                throw new NumberFormatException();
            }
            seconds = new BigDecimal(v.trim());
        } catch (NumberFormatException e) {
            throw new BadParameter("wait='" + Excerpts.of(v, 64) + "' is not a number of seconds");
        }
        if (seconds.signum() < 0) {
            throw new BadParameter("wait must not be negative, got " + Excerpts.of(v, 64));
        }
        if (seconds.compareTo(BigDecimal.valueOf(maxMillis).movePointLeft(3)) > 0) {
            throw new BadParameter("wait=" + Excerpts.of(v, 64) + " is longer than the " + BigDecimal.valueOf(maxMillis).movePointLeft(3).stripTrailingZeros().toPlainString()
                    + " seconds allowed");
        }
        return seconds.movePointRight(3).longValue();
    }

    static int parseLimit(String v, int fallback, int max) {
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw new BadParameter("limit='" + Excerpts.of(v, 64) + "' must be a whole number from 1 to " + max);
    }

    static Set<String> parseTopics(String param, int maxTopics) {
        Set<String> out = new LinkedHashSet<>();
        if (param == null) {
            return out;
        }
        for (String raw : param.split(",", -1)) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            TopicPatterns.problemWithPattern(t).ifPresent(problem -> {
                throw new BadParameter(problem);
            });
            out.add(t);
            if (out.size() > maxTopics) {
                throw new BadParameter("at most " + maxTopics + " topics may be named in one poll");
            }
        }
        return out;
    }

}
