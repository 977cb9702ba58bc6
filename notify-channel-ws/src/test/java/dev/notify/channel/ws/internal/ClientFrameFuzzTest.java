package dev.notify.channel.ws.internal;

import dev.notify.api.spi.JsonException;
import dev.notify.testkit.SimpleJsonCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of {@link ClientFrame#of}, the parser of every frame a WebSocket client
 * sends (issue 13). Whatever the frame holds, the answer is a frame or a {@link ClientFrame.BadFrame}
 * with a short, printable reason, and it comes at once: no other exception, no number expanded.
 * Run longer with {@code -Djqwik.tries.default=100000}.
 */
class ClientFrameFuzzTest {

    // wall-clock bound on a shared machine (a 20,000-try run saw a 2 s stall); the inputs it guards against (a number
    // expanded to a billion digits, a backtracking blow-up) take minutes
    private static final Duration QUICK = Duration.ofSeconds(10);
    private final SimpleJsonCodec json = new SimpleJsonCodec();

    @Property
    void anyFrameShapedObjectParsesOrIsRefusedWithAShortPrintableReason(@ForAll("frames") Map<String, Object> frame) {
        assertTimeoutPreemptively(QUICK, () -> parseOrRefuse(frame));
    }

    @Property
    void anyTextParsesOrIsRefused(@ForAll("frameTexts") String text) {
        assertTimeoutPreemptively(QUICK, () -> {
            Map<String, Object> m;
            try {
                m = json.parseObject(text);
            } catch (JsonException e) {
                return; // the connection answers "not a JSON object"
            }
            parseOrRefuse(m);
        });
    }

    @Property
    void anAcceptedSequenceIsTheWholeNumberSent(@ForAll("numbers") Number n) {
        ClientFrame f;
        try {
            f = ClientFrame.of(Map.of("type", "ack", "id", n), 4);
        } catch (ClientFrame.BadFrame e) {
            assertBounded(e);
            return;
        }
        long id = ((ClientFrame.Ack) f).id();
        assertThat(id).isPositive();
        assertThat(exactValue(n).compareTo(BigDecimal.valueOf(id))).as("%s", n).isZero();
    }

    @net.jqwik.api.Example
    void aLargeWholeDoubleIsAcceptedAsItsExactValue() {
        ClientFrame f = ClientFrame.of(Map.of("type", "ack", "id", 4.611686018427388E18), 4);
        assertThat(((ClientFrame.Ack) f).id()).isEqualTo(4_611_686_018_427_387_904L);
    }

    /** The number's exact value: a double's toString is its shortest round-trip form, not its value (4.611686018427388E18 is ...7904). */
    private static BigDecimal exactValue(Number n) {
        if (n instanceof Double || n instanceof Float) {
            return new BigDecimal(n.doubleValue());
        }
        return new BigDecimal(n.toString());
    }

    private static void parseOrRefuse(Map<String, Object> frame) {
        try {
            ClientFrame f = ClientFrame.of(frame, 4);
            assertThat(f).isNotNull();
        } catch (ClientFrame.BadFrame e) {
            assertBounded(e);
        }
    }

    static void assertBounded(RuntimeException e) {
        assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
        assertThat(e.getMessage().chars().noneMatch(Character::isISOControl)).as("printable: %s", e.getMessage()).isTrue();
    }

    @Provide
    Arbitrary<Map<String, Object>> frames() {
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of("type", "ref", "id", "after", "client_id", "topics", "ids", "all"),
                strings());
        Arbitrary<Object> type = Arbitraries.oneOf(Arbitraries.of(ClientFrame.TYPES).map(t -> (Object) t), values(1));
        return Combinators.combine(type, Arbitraries.maps(keys, values(3)).ofMaxSize(4)).as((t, rest) -> {
            Map<String, Object> m = new LinkedHashMap<>(rest);
            m.putIfAbsent("type", t);
            return m;
        });
    }

    @Provide
    Arbitrary<String> frameTexts() {
        Arbitrary<String> fragments = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"type\"", "\"ack\"", "\"id\"", "\"resume\"",
                "\"after\"", "\"topics\"", "\"ref\"", "1e999999999", "-0", "1.5", "\"\\u0000\"", "null", "true", "\"task:*\"", " ", "\"");
        Arbitrary<String> structured = fragments.list().ofMaxSize(30).map(l -> String.join("", l));
        Arbitrary<String> prefixed = structured.map(s -> "{\"type\":" + s);
        return Arbitraries.oneOf(structured, prefixed, strings());
    }

    @Provide
    Arbitrary<Number> numbers() {
        return numberValues();
    }

    static Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.strings().withChars("abc:*._-@/+= \u0000\n\u202e").ofMaxLength(300));
    }

    static Arbitrary<Number> numberValues() {
        Arbitrary<Number> exponents = Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.valueOf(-1_000_000),
                        BigInteger.valueOf(1_000_000)), Arbitraries.integers().between(-999_999_999, 999_999_999))
                .as((unscaled, scale) -> new BigDecimal(unscaled, scale));
        Arbitrary<Number> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(2000).map(BigDecimal::new);
        return Arbitraries.oneOf(
                Arbitraries.longs().map(l -> (Number) l),
                Arbitraries.integers().map(i -> (Number) i),
                Arbitraries.doubles().map(d -> (Number) d),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0x1p63, 0x1p64).map(d -> (Number) d),
                Arbitraries.bigIntegers().map(i -> (Number) i.shiftLeft(60)),
                exponents, digits);
    }

    static Arbitrary<Object> values(int depth) {
        Arbitrary<Object> leaves = Arbitraries.oneOf(strings().map(s -> (Object) s), numberValues().map(n -> (Object) n),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b), Arbitraries.just(null));
        if (depth <= 0) {
            return leaves;
        }
        return Arbitraries.oneOf(leaves,
                values(depth - 1).list().ofMaxSize(5).map(l -> (Object) l),
                Arbitraries.maps(strings(), values(depth - 1)).ofMaxSize(3).map(m -> (Object) m));
    }
}
