package dev.notify.core;

import dev.notify.api.spi.JsonException;

/**
 * The limits JSON text from outside meets before JSON-B sees it, checked in one pass over the
 * characters. Each stops an input that is small on the wire and expensive to parse:
 * <ul>
 *   <li>nesting deeper than {@link #MAX_DEPTH}: Yasson recurses per level and overflowed a 1 MiB
 *       thread stack at 1,000 levels (a 2 KB body), a {@code StackOverflowError} no caller expects;</li>
 *   <li>a number longer than {@link #MAX_NUMBER_LENGTH} characters: turning digits into a
 *       {@code BigDecimal} costs time quadratic in their count (a 1 MB number took 17 s), and the
 *       JDBC store's reader refuses numbers over 1,100 characters, so such a value could be stored
 *       and never read back;</li>
 *   <li>text after the top-level object or array, which Yasson would silently ignore.</li>
 * </ul>
 * Exponents need no limit here: a {@code BigDecimal} keeps {@code 1e999999999} as one digit and a
 * scale, and the JSON parser refuses exponents beyond an {@code int}. Code that turns a client's
 * number into something else checks precision and scale first.
 */
final class JsonGuard {

    /** The deepest nesting of objects and arrays accepted; data itself may nest 32 levels. */
    static final int MAX_DEPTH = 64;
    /** The most characters one number may have. */
    static final int MAX_NUMBER_LENGTH = 1000;

    private JsonGuard() {
    }

    /** Throws a {@link JsonException} saying where {@code json} breaks a limit; does not check the rest of the grammar. */
    static void check(String json) {
        int depth = 0;
        int number = 0;
        boolean inString = false;
        boolean container = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
                if (++number > MAX_NUMBER_LENGTH) {
                    throw new JsonException("a number longer than " + MAX_NUMBER_LENGTH + " characters at offset " + (i - number + 1));
                }
                continue;
            }
            number = 0;
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (depth == 0 && container) {
                    throw trailing(i);
                }
                container = true;
                if (++depth > MAX_DEPTH) {
                    throw new JsonException("objects and arrays nested deeper than " + MAX_DEPTH + " levels at offset " + i);
                }
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth < 0) {
                    throw trailing(i);
                }
            } else if (depth == 0 && container && !isJsonWhitespace(c)) {
                throw trailing(i);
            }
        }
    }

    private static JsonException trailing(int offset) {
        return new JsonException("unexpected text after the end of the JSON value at offset " + offset);
    }

    private static boolean isJsonWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
