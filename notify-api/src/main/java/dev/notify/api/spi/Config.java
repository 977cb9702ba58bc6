package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable node of string configuration with typed accessors. Keys are kebab-case and
 * dotted ({@code heartbeat-interval}, {@code channels.sse.max-connections-per-user}).
 *
 * <p>Durations accept {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, a plain
 * number of seconds or ISO-8601 ({@code PT30S}). A malformed value throws
 * {@link IllegalArgumentException} naming the key and the value.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class Config {

    private static final Config EMPTY = new Config("", Map.of());

    private final String prefix;
    private final Map<String, String> values;

    private Config(String prefix, Map<String, String> values) {
        this.prefix = prefix;
        this.values = values;
    }

    /** A configuration of these entries. */
    public static Config of(Map<String, String> values) {
        return new Config("", Collections.unmodifiableMap(new TreeMap<>(values)));
    }

    /** An empty configuration: every accessor returns its default. */
    public static Config empty() {
        return EMPTY;
    }

    /** The sub-node below {@code name} ({@code config.node("channels").node("sse")}). */
    public Config node(String name) {
        String p = name + ".";
        Map<String, String> sub = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(p)) {
                sub.put(k.substring(p.length()), v);
            }
        });
        return new Config(prefix + p, Collections.unmodifiableMap(sub));
    }

    /** The value of {@code key}, if set. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code key}, or {@code fallback}. */
    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** The integer value of {@code key}, or {@code fallback}. */
    public int getInt(String key, int fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, v, "a whole number");
        }
    }

    /** The long value of {@code key}, or {@code fallback}. */
    public long getLong(String key, long fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, v, "a whole number");
        }
    }

    /** The boolean value of {@code key} ({@code true/false/yes/no/on/off}), or {@code fallback}. */
    public boolean getBoolean(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return true;
            case "false": case "no": case "off": case "0":
                return false;
            default:
                throw invalid(key, v, "true or false");
        }
    }

    /** The duration value of {@code key}, or {@code fallback}. */
    public Duration getDuration(String key, Duration fallback) {
        String v = values.get(key);
        return v == null ? fallback : parseDuration(fullKey(key), v);
    }

    /** The comma-separated list value of {@code key} (trimmed, empty items dropped), or an empty list. */
    public List<String> getList(String key) {
        String v = values.get(key);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return List.copyOf(out);
    }

    /** Every entry of this node, keys relative to it. */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * Parses a duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d},
     * a number of seconds or ISO-8601.
     *
     * @param what names the value in the error message
     */
    public static Duration parseDuration(String what, String text) {
        String v = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            char unit = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
            String num = Character.isDigit(unit) ? v : v.substring(0, v.length() - 1).trim();
            long n = Long.parseLong(num);
            switch (unit) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default:
                    if (Character.isDigit(unit)) {
                        return Duration.ofSeconds(n);
                    }
            }
        } catch (RuntimeException e) {
            // fall through to the clear message below
        }
        throw new IllegalArgumentException(what + " = '" + text + "' is not a duration (e.g. 500ms, 30s, 5m, 2h, PT30S)");
    }

    private String fullKey(String key) {
        return prefix + key;
    }

    private IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException(fullKey(key) + " = '" + value + "' is not " + expected);
    }

    @Override
    public String toString() {
        return "Config" + values.keySet();
    }
}
