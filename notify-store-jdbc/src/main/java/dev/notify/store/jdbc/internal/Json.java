package dev.notify.store.jdbc.internal;


import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.stream.JsonParser;

import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
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

    /**
     * The JSON text of {@code value}, exactly as JSON-B writes it. Strings, integers, booleans and
     * maps and collections of them (the recipients, channels, metadata and almost every payload)
     * are written here directly: JSON-B's reflection and generator were about 5% of a batched
     * publish's CPU on H2. Anything else (nulls, decimals, records, ...) goes to JSON-B.
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(64);
        if (writeSimple(sb, value, 0)) {
            return sb.toString();
        }
        return JSONB.toJson(value);
    }

    /** Appends {@code v} if it is made of simple values only; returns false (leaving junk in {@code sb}) otherwise. */
    private static boolean writeSimple(StringBuilder sb, Object v, int depth) {
        if (v instanceof String) {
            quote(sb, (String) v);
            return true;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            sb.append(((Number) v).longValue());
            return true;
        }
        if (v instanceof Boolean) {
            sb.append(((Boolean) v).booleanValue());
            return true;
        }
        if (depth >= 16) {
            return false;
        }
        if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    return false;
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, (String) e.getKey());
                sb.append(':');
                if (!writeSimple(sb, e.getValue(), depth + 1)) {
                    return false;
                }
            }
            sb.append('}');
            return true;
        }
        if (v instanceof Collection) {
            sb.append('[');
            boolean first = true;
            for (Object item : (Collection<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                if (!writeSimple(sb, item, depth + 1)) {
                    return false;
                }
            }
            sb.append(']');
            return true;
        }
        return false;
    }

    /** A JSON string with the escapes JSON-P's generator uses: quote, backslash, and control characters. */
    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                sb.append(c);
                continue;
            }
            switch (c) {
                case '"':
                case '\\':
                    sb.append('\\').append(c);
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        sb.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

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
