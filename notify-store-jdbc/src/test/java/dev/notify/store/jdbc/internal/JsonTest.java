package dev.notify.store.jdbc.internal;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("JSON columns")
class JsonTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    @Test
    void writesEveryCharacterAsJsonbDoes() {
        // Every UTF-16 unit, lone surrogates included, in strings of 256.
        for (int from = 0; from < 0x10000; from += 256) {
            StringBuilder s = new StringBuilder();
            for (int c = from; c < from + 256; c++) {
                s.append((char) c);
            }
            String text = s.toString();
            assertThat(Json.write(text)).as("characters from %04x", from).isEqualTo(JSONB.toJson(text));
            assertThat(Json.write(Map.of(text, text))).isEqualTo(JSONB.toJson(Map.of(text, text)));
        }
    }

    @Test
    void writesSimpleTreesAsJsonbDoes() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("percent", 50);
        nested.put("big", Long.MIN_VALUE);
        nested.put("short", (short) -7);
        nested.put("byte", (byte) 3);
        nested.put("yes", true);
        nested.put("no", false);
        nested.put("list", List.of("a", 1, List.of(), Map.of()));
        nested.put("set", new LinkedHashSet<>(List.of("z", "a")));
        nested.put("deep", Map.of("k", Map.of("k", List.of(Map.of("k", "v")))));
        List<Object> values = List.of(nested, Map.of("percent", 50, "message", "Processing..."), List.of("alice", "bob"),
                Map.of(), List.of(), "plain", 42, Long.MAX_VALUE, true);
        for (Object v : values) {
            assertThat(Json.write(v)).isEqualTo(JSONB.toJson(v));
        }
    }

    @Test
    void leavesEverythingElseToJsonb() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("missing", null);
        withNull.put("there", 1);
        Map<Object, Object> numberKeys = new LinkedHashMap<>();
        numberKeys.put(1, "one");
        List<Object> values = new ArrayList<>(List.of(withNull, numberKeys, Map.of("ratio", 0.5), Map.of("exact", new BigDecimal("1.10")),
                List.of(List.of(1.5)), Map.of("a", Map.of("b", 2.0))));
        values.add(Arrays.asList("a", null));
        for (Object v : values) {
            assertThat(Json.write(v)).isEqualTo(JSONB.toJson(v));
        }
        // nesting deeper than the direct writer goes
        Object deep = "leaf";
        for (int i = 0; i < 40; i++) {
            deep = List.of(deep);
        }
        assertThat(Json.write(deep)).isEqualTo(JSONB.toJson(deep));
    }

    @Test
    void readsBackWhatItWrote() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("percent", 50);
        data.put("message", "line\nbreak \"quoted\" \\ \u0001 é 😀");
        data.put("items", List.of("a", "b"));
        assertThat(Json.readObject(Json.write(data))).isEqualTo(data);
    }
}
