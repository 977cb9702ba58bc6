package dev.notify.core;

import dev.notify.api.Excerpts;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.JsonException;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;

import java.util.Map;

/** The {@link JsonCodec} of Notify: JSON-B with Yasson. Thread-safe; one instance serves the process. */
public final class JsonbCodec implements JsonCodec, AutoCloseable {

    private final Jsonb jsonb;
    // maps and lists of plain values, written without Yasson's per-call binding (the same output)
    private final JsonTreeWriter trees = new JsonTreeWriter();

    /** A codec with Notify's settings: nulls in maps kept, properties in declaration order. */
    public JsonbCodec() {
        this.jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(false)
                .withPropertyOrderStrategy(jakarta.json.bind.config.PropertyOrderStrategy.ANY));
    }

    @Override
    public String toJson(Object value) {
        String plain = trees.write(value);
        if (plain != null) {
            return plain;
        }
        try {
            return jsonb.toJson(value);
        } catch (JsonbException e) {
            throw new JsonException("cannot write " + (value == null ? "null" : value.getClass().getName()) + " as JSON: " + e.getMessage(), e);
        }
    }

    /** What Yasson alone writes for {@code value}: the reference the tree writer's output is tested against. */
    String toJsonWithYasson(Object value) {
        return jsonb.toJson(value);
    }

    @Override
    public <T> T fromJson(String json, Class<T> type) {
        if (json == null) {
            throw new JsonException("no JSON given (null)");
        }
        try {
            JsonGuard.check(json);
        } catch (JsonException e) {
            throw new JsonException("malformed JSON for " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        try {
            return jsonb.fromJson(json, type);
        } catch (JsonbException | jakarta.json.JsonException | ClassCastException e) {
            throw new JsonException("malformed JSON for " + type.getSimpleName() + ": " + Excerpts.of(rootMessage(e), 200), e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> parseObject(String json) {
        if (json == null || json.isBlank()) {
            throw new JsonException("expected a JSON object, got nothing");
        }
        String t = json.stripLeading();
        if (!t.startsWith("{")) {
            throw new JsonException("expected a JSON object, got: " + Excerpts.of(t.substring(0, Math.min(20, t.length())), 200));
        }
        return fromJson(json, Map.class);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** The parser's messages may quote the input: a client reads them, so they stay short and on one line. */

    @Override
    public void close() {
        try {
            jsonb.close();
        } catch (Exception e) {
            // nothing to release that matters
        }
    }
}
