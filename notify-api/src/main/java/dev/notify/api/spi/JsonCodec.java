package dev.notify.api.spi;

import dev.notify.api.Api;

import java.util.Map;

/**
 * The host's JSON codec (JSON-B in {@code notify-core}). Maps, lists, strings, numbers,
 * booleans, records of those and {@code java.time} instants are supported.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface JsonCodec {

    /** Serialises a value to JSON text. */
    String toJson(Object value);

    /**
     * Parses JSON text into the given type.
     *
     * @throws JsonException when the text is not valid JSON or does not fit the type
     */
    <T> T fromJson(String json, Class<T> type);

    /**
     * Parses a JSON object into an ordered map of JSON-like values (maps, lists, strings,
     * {@link java.math.BigDecimal} numbers, booleans, nulls).
     *
     * @throws JsonException when the text is not a JSON object
     */
    Map<String, Object> parseObject(String json);
}
