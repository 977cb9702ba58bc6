package dev.notify.channel.poll.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of {@link PollParams#parse}, which reads a poll's query parameters
 * ({@code after}, {@code wait}, {@code limit}, {@code topics}; issue 13): any values give parameters
 * within the settings' bounds or a {@link PollParams.BadParameter} (a 400) with a short printable
 * message, at once. Run longer with {@code -Djqwik.tries.default=100000}.
 */
class PollParamsFuzzTest {

    private static final PollSettings SETTINGS = PollSettings.defaults();

    @Property
    void anyParametersAreBoundedOrABadParameter(@ForAll("values") String after, @ForAll("values") String wait,
            @ForAll("values") String limit, @ForAll("topicLists") String topics) {
        PollParams p;
        try {
            p = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> PollParams.parse(after, wait, limit, topics, SETTINGS));
        } catch (PollParams.BadParameter e) {
            assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
            assertThat(e.getMessage().chars().noneMatch(Character::isISOControl)).as("printable: %s", e.getMessage()).isTrue();
            return;
        }
        assertThat(p.after()).isNotNegative();
        assertThat(p.waitMillis()).isBetween(0L, SETTINGS.maxWait().toMillis());
        assertThat(p.limit()).isBetween(1, SETTINGS.maxLimit());
        assertThat(p.topics()).hasSizeLessThanOrEqualTo(SETTINGS.maxTopics()).allMatch(t -> !t.isBlank() && t.length() <= 256);
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.of("", " ", "0", "-0", "+1", "-1", "1.5", "0.001", "1e999999999", "1e-999999999", "-1e999999999", "1E+2147483647",
                        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "2147483648", "NaN", "Infinity", "0x10",
                        "\u0661\u0662", "1\u0000", "\t5\n"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.strings().numeric().withChars(".eE+- ").ofMaxLength(40),
                Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(5000),
                Arbitraries.strings().all().ofMaxLength(100));
    }

    @Provide
    Arbitrary<String> topicLists() {
        Arbitrary<String> topic = Arbitraries.oneOf(Arbitraries.strings().withChars("abc:*._-@/+=, \u0000\n").ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(300), Arbitraries.of("*", "task:*", "task:abc123", "**", "a*b"));
        return Arbitraries.oneOf(Arbitraries.just(null), topic.list().ofMaxSize(120).map(l -> String.join(",", l)));
    }
}
