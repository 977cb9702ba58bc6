package dev.notify.store.jdbc.internal;


import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.stream.JsonParser;

import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text for the columns that hold trees (data, metadata, recipients, filters). JSON-B writes;
 * reading walks the JSON-P parser underneath it, so that objects keep their key order and numbers
 * come back as the narrowest natural Java type (a stored {@code 50} reads as the {@code Integer}
 * it most likely was, {@code 0.5} as a {@code Double}), which keeps a read-back notification equal
 * to the published one for ordinary payloads.
 */
public final class Json {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private Json() {
    }

    public static String write(Object value) {
        return JSONB.toJson(value);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(String json) {
        Object v = read(json);
        if (!(v instanceof Map)) {
            throw new IllegalStateException("stored JSON is not an object: " + json);
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    public static List<String> readStrings(String json) {
        Object v = read(json);
        if (!(v instanceof List)) {
            throw new IllegalStateException("stored JSON is not an array: " + json);
        }
        return (List<String>) v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, String> readStringMap(String json) {
        return (Map<String, String>) (Map<String, ?>) readObject(json);
    }

    private static Object read(String json) {
        try (JsonParser p = PARSERS.createParser(new StringReader(json))) {
            return value(p, p.next());
        }
    }

    private static final jakarta.json.stream.JsonParserFactory PARSERS = jakarta.json.Json.createParserFactory(Map.of());

    private static Object value(JsonParser p, JsonParser.Event e) {
        switch (e) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonParser.Event k = p.next(); k != JsonParser.Event.END_OBJECT; k = p.next()) {
                    String key = p.getString();
                    m.put(key, value(p, p.next()));
                }
                return Collections.unmodifiableMap(m);
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                for (JsonParser.Event v = p.next(); v != JsonParser.Event.END_ARRAY; v = p.next()) {
                    l.add(value(p, v));
                }
                return Collections.unmodifiableList(l);
            }
            case VALUE_STRING:
                return p.getString();
            case VALUE_NUMBER:
                return number(p.getBigDecimal(), p.isIntegralNumber());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IllegalStateException("unexpected JSON event " + e);
        }
    }

    static Object number(BigDecimal d, boolean integral) {
        if (integral) {
            BigInteger i = d.toBigIntegerExact();
            if (i.bitLength() < 32) {
                return i.intValue();
            }
            if (i.compareTo(LONG_MIN) >= 0 && i.compareTo(LONG_MAX) <= 0) {
                return i.longValue();
            }
            return i;
        }
        double dbl = d.doubleValue();
        if (!Double.isInfinite(dbl) && new BigDecimal(Double.toString(dbl)).compareTo(d) == 0) {
            return dbl;
        }
        return d;
    }


}
