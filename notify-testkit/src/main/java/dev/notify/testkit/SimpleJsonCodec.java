package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.JsonException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A small, strict {@link JsonCodec} for channel tests, so that a plugin's tests need no JSON
 * library and never the host's (a plugin must not depend on {@code notify-core}, not even in
 * tests). It writes maps, collections, strings, numbers, booleans, {@code null} and
 * {@link Instant}s (as ISO-8601 strings), and parses objects into ordered maps with numbers as
 * {@link java.math.BigDecimal}; anything else is an error. {@link #fromJson(String, Class)} (data
 * binding) is not supported: a channel that needs it should test with the host's codec.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class SimpleJsonCodec implements JsonCodec {

    @Override
    public String toJson(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            sb.append('"');
            String s = (String) v;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                }
            }
            sb.append('"');
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Collection) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Collection<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (v instanceof Instant) {
            write(sb, v.toString());
        } else {
            throw new JsonException("SimpleJsonCodec cannot write a " + v.getClass().getName());
        }
    }

    @Override
    public <T> T fromJson(String json, Class<T> type) {
        throw new UnsupportedOperationException("SimpleJsonCodec does no data binding; test with the host's codec");
    }

    @Override
    public Map<String, Object> parseObject(String json) {
        Reader r = new Reader(json);
        r.ws();
        Object v = r.value();
        r.ws();
        if (r.i != json.length()) {
            throw new JsonException("trailing characters at " + r.i);
        }
        if (!(v instanceof Map)) {
            throw new JsonException("not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** A small strict JSON reader: objects, arrays, strings (simple escapes), numbers as BigDecimal, literals. */
    private static final class Reader {
        final String s;
        int i;

        Reader(String s) {
            this.s = s;
        }

        void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        Object value() {
            if (i >= s.length()) {
                throw new JsonException("unexpected end of input");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                ws();
                if (peek() == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    if (peek() != '"') {
                        throw new JsonException("expected a key at " + i);
                    }
                    String k = string();
                    ws();
                    expect(':');
                    ws();
                    m.put(k, value());
                    ws();
                    char d = next();
                    if (d == '}') {
                        return m;
                    }
                    if (d != ',') {
                        throw new JsonException("expected , or } at " + (i - 1));
                    }
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (peek() == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    ws();
                    l.add(value());
                    ws();
                    char d = next();
                    if (d == ']') {
                        return l;
                    }
                    if (d != ',') {
                        throw new JsonException("expected , or ] at " + (i - 1));
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new JsonException("unexpected character '" + c + "' at " + i);
            }
            try {
                return new java.math.BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw new JsonException("bad number at " + start);
            }
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    char e = next();
                    switch (e) {
                        case '"': sb.append('"'); break;
                        case '\\': sb.append('\\'); break;
                        case '/': sb.append('/'); break;
                        case 'b': sb.append('\b'); break;
                        case 'f': sb.append('\f'); break;
                        case 'n': sb.append('\n'); break;
                        case 't': sb.append('\t'); break;
                        case 'r': sb.append('\r'); break;
                        case 'u':
                            if (i + 4 > s.length()) {
                                throw new JsonException("unexpected end of input in a \\u escape");
                            }
                            try {
                                sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException x) {
                                throw new JsonException("bad \\u escape at " + i);
                            }
                            i += 4;
                            break;
                        default:
                            throw new JsonException("bad escape \\" + e + " at " + (i - 1));
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        char peek() {
            if (i >= s.length()) {
                throw new JsonException("unexpected end of input");
            }
            return s.charAt(i);
        }

        char next() {
            char c = peek();
            i++;
            return c;
        }

        void expect(char c) {
            if (next() != c) {
                throw new JsonException("expected '" + c + "' at " + (i - 1));
            }
        }
    }
}
