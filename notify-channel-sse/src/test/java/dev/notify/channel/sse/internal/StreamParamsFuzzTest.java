package dev.notify.channel.sse.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of {@link StreamParams#parse}, which reads an SSE request's
 * {@code topics} parameter and its {@code Last-Event-ID} header or {@code lastEventId} parameter
 * (issue 13): any values give topics within the limit and a non-negative resume position, or a
 * {@link StreamParams.BadParameter} (a 400) with a short printable message, at once.
 * Run longer with {@code -Djqwik.tries.default=100000}.
 */
class StreamParamsFuzzTest {

    private static final int MAX_TOPICS = 16;

    @Property
    void anyParametersAreBoundedOrABadParameter(@ForAll("topicLists") String topics, @ForAll("ids") String header,
            @ForAll("ids") String param) {
        StreamParams p;
        try {
            p = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> StreamParams.parse(topics, header, param, MAX_TOPICS));
        } catch (StreamParams.BadParameter e) {
            assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
            assertThat(e.getMessage().chars().noneMatch(Character::isISOControl)).as("printable: %s", e.getMessage()).isTrue();
            return;
        }
        assertThat(p.topics()).hasSizeLessThanOrEqualTo(MAX_TOPICS).allMatch(t -> !t.isBlank() && t.length() <= 256);
        p.resumeAfter().ifPresent(n -> assertThat(n).isNotNegative());
        String used = header != null && !header.isBlank() ? header : param;
        assertThat(p.resumeAfter().isPresent()).isEqualTo(used != null && !used.isBlank());
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.of("", " ", "0", "-0", "+1", "-1", "1.5", "1e999999999", "9223372036854775807", "9223372036854775808",
                        "0x10", "\u0661\u0662", "1\u0000", "\t5\n", "1042\r\nevent: x"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(5000),
                Arbitraries.strings().all().ofMaxLength(100));
    }

    @Provide
    Arbitrary<String> topicLists() {
        Arbitrary<String> topic = Arbitraries.oneOf(Arbitraries.strings().withChars("abc:*._-@/+=, \u0000\n").ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(300), Arbitraries.of("*", "task:*", "task:abc123", "**", "a*b"));
        return Arbitraries.oneOf(Arbitraries.just(null), topic.list().ofMaxSize(40).map(l -> String.join(",", l)));
    }
}
