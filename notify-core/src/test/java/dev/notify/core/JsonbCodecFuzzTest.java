package dev.notify.core;

import dev.notify.api.spi.JsonException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of {@link JsonbCodec}, which parses every JSON body and WebSocket frame a
 * client sends (issue 13): any text is a value or a {@link JsonException} with a short printable
 * message, quickly, and what was parsed is written back no larger than it came (no number is
 * expanded). Run longer with {@code -Djqwik.tries.default=100000}.
 */
class JsonbCodecFuzzTest {

    // wall-clock bound on a shared machine (a 20,000-try run saw a 2 s stall); the inputs it guards against (a number
    // expanded to a billion digits, a backtracking blow-up) take minutes
    private static final Duration QUICK = Duration.ofSeconds(10);
    private final JsonbCodec json = new JsonbCodec();

    @Property
    void anyTextIsAnObjectOrAJsonException(@ForAll("texts") String text) {
        assertTimeoutPreemptively(QUICK, () -> {
            Map<String, Object> m;
            try {
                m = json.parseObject(text);
            } catch (JsonException e) {
                assertBounded(e);
                return;
            }
            assertThat(json.toJson(m).length()).isLessThanOrEqualTo(2 * text.length() + 16);
        });
    }

    @Property
    void anyTextIsAnArrayOrAJsonException(@ForAll("texts") String text) {
        assertTimeoutPreemptively(QUICK, () -> {
            try {
                List<?> l = json.fromJson(text, List.class);
                if (l != null) {
                    assertThat(json.toJson(l).length()).isLessThanOrEqualTo(2 * text.length() + 16);
                }
            } catch (JsonException e) {
                assertBounded(e);
            }
        });
    }

    @Property
    void validJsonRoundTrips(@ForAll("objects") String text) {
        Map<String, Object> m = assertTimeoutPreemptively(QUICK, () -> json.parseObject(text));
        assertThat(json.parseObject(json.toJson(m))).isEqualTo(m);
    }

    static void assertBounded(RuntimeException e) {
        assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
        assertThat(e.getMessage().chars().noneMatch(Character::isISOControl)).as("printable: %s", e.getMessage()).isTrue();
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> fragments = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"a\"", "\"ids\"", "\"data\"", "1e999999999", "-1E-999999999", "1e2147483648",
                        "-0", "0.5", "01", "1.", ".5", "NaN", "Infinity", "null", "true", "tru", "\"\\u0000\"", "\"\\ud800\"", "\"\\",
                        "\"", " ", "\n", "\u0000", "\u00e9", "\ud83d\ude00", "\ufeff", "/*", "//", "'a'"),
                Arbitraries.integers().between(1, 1100).map("9"::repeat),
                Arbitraries.integers().between(1, 100).map("["::repeat),
                Arbitraries.integers().between(1, 100).map("{\"a\":"::repeat));
        Arbitrary<String> structured = fragments.list().ofMaxSize(40).map(l -> String.join("", l));
        return Arbitraries.oneOf(structured, structured.map(s -> "{\"a\":" + s), structured.map(s -> "[" + s),
                Arbitraries.strings().all().ofMaxLength(200));
    }

    @Provide
    Arbitrary<String> objects() {
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(8), value(3)).ofMaxSize(5)
                .map(m -> "{" + String.join(",", m.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue()).toList()) + "}");
    }

    private static Arbitrary<String> value(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars(" é😀").ofMaxLength(20).map(s -> "\"" + s + "\""),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.integers().between(-999_999_999, 999_999_999).map(e -> "1e" + e),
                Arbitraries.of("true", "false", "null"));
        if (depth == 0) {
            return leaf;
        }
        return Arbitraries.oneOf(leaf, value(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"));
    }
}
