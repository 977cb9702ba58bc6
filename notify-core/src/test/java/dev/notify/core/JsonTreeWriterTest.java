package dev.notify.core;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTreeWriterTest {

    private static final JsonbCodec CODEC = new JsonbCodec();
    private final JsonTreeWriter writer = new JsonTreeWriter();

    @AfterContainer
    static void close() {
        CODEC.close();
    }

    @Property(tries = 500)
    void writesWhatYassonWritesForEveryTreeOfPlainValues(@ForAll("trees") Object tree) {
        String fast = writer.write(tree);

        assertThat(fast).isNotNull().isEqualTo(CODEC.toJsonWithYasson(tree));
        assertThat(CODEC.toJson(tree)).isEqualTo(fast);
    }

    @Test
    void leavesEverythingButPlainTreesToYasson() {
        Map<String, Object> withTime = new LinkedHashMap<>();
        withTime.put("at", Instant.EPOCH);
        Map<String, Object> withDouble = new LinkedHashMap<>();
        withDouble.put("x", 1.5d);
        Map<Object, Object> withNumberKey = new LinkedHashMap<>();
        withNumberKey.put(1, "one");

        assertThat(writer.write(withTime)).isNull();
        assertThat(writer.write(withDouble)).isNull();
        assertThat(writer.write(withNumberKey)).isNull();
        assertThat(writer.write("a string")).isNull();
        assertThat(writer.write(List.of(new int[] {1}))).isNull();
        // and the codec still writes them, through Yasson
        assertThat(CODEC.toJson(withTime)).isEqualTo("{\"at\":\"1970-01-01T00:00:00Z\"}");
        assertThat(CODEC.toJson(withDouble)).isEqualTo("{\"x\":1.5}");
    }

    @Test
    void aTreeDeeperThanSixtyFourLevelsGoesToYasson() {
        Object deep = "leaf";
        for (int i = 0; i < 70; i++) {
            deep = List.of(deep);
        }
        assertThat(writer.write(deep)).isNull();
        assertThat(CODEC.toJson(deep)).startsWith("[[[[");
    }

    @Provide
    Arbitrary<Object> trees() {
        return tree(4).filter(t -> t instanceof Map || t instanceof List);
    }

    private Arbitrary<Object> tree(int depth) {
        Arbitrary<Object> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
                Arbitraries.strings().withChars("\"\\/\b\f\n\r\t\u0000\u001f\u2028é😀<>&'").ofMaxLength(8).map(s -> (Object) s),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(b -> (Object) b),
                Arbitraries.bigDecimals().between(new BigDecimal("-1e12"), new BigDecimal("1e12")).ofScale(4).map(d -> (Object) d),
                Arbitraries.just(null));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<Object> child = Arbitraries.lazy(() -> tree(depth - 1));
        Arbitrary<Object> maps = Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), child).ofMaxSize(4)
                .map(m -> (Object) new LinkedHashMap<>(m));
        Arbitrary<Object> lists = child.list().ofMaxSize(4).map(l -> (Object) new ArrayList<>(l));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, scalars), net.jqwik.api.Tuple.of(2, maps), net.jqwik.api.Tuple.of(2, lists));
    }

    @Test
    void writesNullMembersAsYassonDoes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", null);
        m.put("b", Arrays.asList(1, null));
        assertThat(writer.write(m)).isEqualTo(CODEC.toJsonWithYasson(m));
    }
}
