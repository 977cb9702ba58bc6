package dev.notify.api;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Notification#isEventName}, written out by hand for speed, answers exactly as the
 * documented pattern does: for every string up to five characters over an alphabet with one
 * character of each kind that matters, and for random longer ones.
 */
class EventNamesTest {

    private static final Pattern EVENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_][A-Za-z0-9_-]*)*");
    // letters at both ends of both ranges, digits, '_', '-', '.', and characters just outside the ranges, a space,
    // a newline, a non-ASCII letter
    private static final char[] ALPHABET = {'a', 'z', 'A', 'Z', '0', '9', '_', '-', '.', '`', '{', '@', '[', '/', ':', ' ', '\n', 'é'};

    @Test
    void agreesWithThePatternOnEveryShortString() {
        int checked = 0;
        for (int length = 0; length <= 4; length++) {
            int[] digits = new int[length];
            while (true) {
                StringBuilder s = new StringBuilder(length);
                for (int d : digits) {
                    s.append(ALPHABET[d]);
                }
                assertAgrees(s.toString());
                checked++;
                int i = length - 1;
                while (i >= 0 && ++digits[i] == ALPHABET.length) {
                    digits[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
        assertThat(checked).isGreaterThan(100_000);
    }

    @Test
    void agreesWithThePatternOnRandomLongerStrings() {
        Random random = new Random(20261208);
        int accepted = 0;
        for (int n = 0; n < 200_000; n++) {
            int length = 5 + random.nextInt(40);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                // mostly word characters, so that many are names and the rare character decides
                s.append(random.nextInt(10) < 8 ? "abcXYZ019_"
                        .charAt(random.nextInt(10)) : ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            if (assertAgrees(s.toString())) {
                accepted++;
            }
        }
        assertThat(accepted).as("both kinds of answer were exercised").isBetween(1_000, 199_000);
    }

    private static boolean assertAgrees(String s) {
        boolean expected = EVENT.matcher(s).matches();
        assertThat(Notification.isEventName(s)).as("'%s'", s).isEqualTo(expected);
        return expected;
    }
}
