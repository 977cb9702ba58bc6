package dev.notify.core;

import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * Writes a tree of maps, lists and plain values (strings, booleans, integral and decimal numbers,
 * nulls) with JSON-P's streaming generator, the one Yasson itself writes through: what
 * {@link JsonbCodec#toJson} is asked for on every publish answer and every live event. Yasson binds
 * such a tree afresh per call (a serializer chain built per map, a type look-up per value): JFR of a
 * node publishing at 500/s had a sixth of its CPU in it. The output is Yasson's, byte for byte
 * ({@code JsonTreeWriterTest} compares them on generated trees); anything else (records, enums,
 * times, arrays) makes {@link #write} return null and the caller binds it with Yasson.
 */
final class JsonTreeWriter {

    private static final int MAX_DEPTH = 64;

    private final JsonGeneratorFactory generators = JsonProvider.provider().createGeneratorFactory(Map.of());

    /** The JSON of {@code value}, or null when it is not a plain tree (then Yasson writes it). */
    String write(Object value) {
        if (!(value instanceof Map<?, ?> || value instanceof Collection<?>) || !plain(value, 0)) {
            return null;
        }
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = generators.createGenerator(out)) {
            if (value instanceof Map<?, ?> m) {
                g.writeStartObject();
                members(g, m);
            } else {
                g.writeStartArray();
                elements(g, (Collection<?>) value);
            }
            g.writeEnd();
        }
        return out.toString();
    }

    // checked in full before anything is written, so that a tree with one odd value goes to Yasson whole
    private static boolean plain(Object v, int depth) {
        if (v == null || v instanceof String || v instanceof Boolean || isNumber(v)) {
            return true;
        }
        if (depth >= MAX_DEPTH) {
            return false;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String) || !plain(e.getValue(), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (!plain(o, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean isNumber(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger || v instanceof BigDecimal;
    }

    private static void members(JsonGenerator g, Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = (String) e.getKey();
            Object v = e.getValue();
            if (v instanceof Map<?, ?> inner) {
                g.writeStartObject(k);
                members(g, inner);
                g.writeEnd();
            } else if (v instanceof Collection<?> c) {
                g.writeStartArray(k);
                elements(g, c);
                g.writeEnd();
            } else {
                g.writeKey(k);
                scalar(g, v);
            }
        }
    }

    private static void elements(JsonGenerator g, Collection<?> c) {
        for (Object v : c) {
            if (v instanceof Map<?, ?> inner) {
                g.writeStartObject();
                members(g, inner);
                g.writeEnd();
            } else if (v instanceof Collection<?> inner) {
                g.writeStartArray();
                elements(g, inner);
                g.writeEnd();
            } else {
                scalar(g, v);
            }
        }
    }

    private static void scalar(JsonGenerator g, Object v) {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.write(s);
        } else if (v instanceof Boolean b) {
            g.write(b);
        } else if (v instanceof BigDecimal d) {
            g.write(d);
        } else if (v instanceof BigInteger i) {
            g.write(i);
        } else {
            g.write(((Number) v).longValue());
        }
    }
}
