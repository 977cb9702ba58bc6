package dev.notify.bench.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak's parameters, from {@code --name value} arguments; every one has the default of the
 * full soak of issue 14 (10 minutes, 10,000 SSE and 1,000 WebSocket streams, 1,000 publishes/s,
 * 20 webhook endpoints of which 5 hang and 2 answer 500).
 *
 * @param jar              the runnable server jar
 * @param duration         how long the load runs ({@code --duration 10m}; {@code 30s}, {@code 2m}, {@code 1h} or seconds)
 * @param sse              SSE streams, one user each
 * @param ws               WebSocket connections, one user each
 * @param rate             publishes per second
 * @param topics           topics the even-numbered users also subscribe to (one each)
 * @param hookShare        share of publishes that go to the webhook endpoints' topic
 * @param webhooks         webhook endpoints registered through the API
 * @param hanging          of which accept and never answer
 * @param failing          of which answer 500
 * @param reconnects       client-chosen drop-and-resume per second, over all clients
 * @param awayMax          longest a dropping client stays away (uniform from 0), so it misses events to replay
 * @param lateAfter        a healthy webhook delivery arriving later than this after its publish is late
 * @param sampleEvery      the sampling interval
 * @param drain            how long, after publishing stops, receivers may take to catch up before what is missing counts as lost
 * @param out              where the CSV and the SVG charts go
 * @param serverHeap       the server's -Xms and -Xmx
 * @param dbUrl            a PostgreSQL (or other JDBC) URL; empty: the server's embedded H2 file in a temporary directory
 * @param dbUser           its user, or empty
 * @param dbPassword       its password, or empty
 * @param publishers       publishing threads
 * @param serverArgs       further server arguments, space-separated (e.g. {@code --workers 16})
 */
record SoakSettings(Path jar, Duration duration, int sse, int ws, int rate, int topics, double hookShare, int webhooks,
                    int hanging, int failing, double reconnects, Duration awayMax, Duration lateAfter, Duration sampleEvery,
                    Duration drain, Path out, String serverHeap, String dbUrl, String dbUser, String dbPassword, int publishers,
                    List<String> serverArgs) {

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("--jar", "notify-server/target/notify-server.jar");
        d.put("--duration", "10m");
        d.put("--sse", "10000");
        d.put("--ws", "1000");
        d.put("--rate", "1000");
        d.put("--topics", "1000");
        d.put("--webhook-share", "0.05");
        d.put("--webhooks", "20");
        d.put("--hanging", "5");
        d.put("--failing", "2");
        d.put("--reconnects", "10");
        d.put("--away-max", "2s");
        d.put("--late-after", "2s");
        d.put("--sample-every", "5s");
        d.put("--drain", "30s");
        d.put("--out", "docs/soak");
        d.put("--server-heap", "2g");
        d.put("--db-url", "");
        d.put("--db-user", "");
        d.put("--db-password", "");
        d.put("--publishers", "8");
        d.put("--server-args", "");
        return d;
    }

    SoakSettings {
        if (webhooks < hanging + failing + 1) {
            throw new IllegalArgumentException("--webhooks " + webhooks + " leaves no healthy endpoint beside " + hanging + " hanging and "
                    + failing + " failing");
        }
        if (sse + ws < 1 || rate < 1 || sampleEvery.isZero()) {
            throw new IllegalArgumentException("needs a client, a rate and a sampling interval");
        }
    }

    /** Settings from {@code --name value} pairs over the defaults; an unknown name is refused. */
    static SoakSettings parse(String... args) {
        Map<String, String> a = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i += 2) {
            if (!DEFAULTS.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options (with defaults): " + DEFAULTS);
            }
            a.put(args[i], args[i + 1]);
        }
        return new SoakSettings(Path.of(a.get("--jar")), duration(a.get("--duration")), integer(a, "--sse"), integer(a, "--ws"),
                integer(a, "--rate"), integer(a, "--topics"), Double.parseDouble(a.get("--webhook-share")), integer(a, "--webhooks"),
                integer(a, "--hanging"), integer(a, "--failing"), Double.parseDouble(a.get("--reconnects")), duration(a.get("--away-max")),
                duration(a.get("--late-after")), duration(a.get("--sample-every")), duration(a.get("--drain")), Path.of(a.get("--out")),
                a.get("--server-heap"), a.get("--db-url"), a.get("--db-user"), a.get("--db-password"), integer(a, "--publishers"),
                a.get("--server-args").isBlank() ? List.of() : Arrays.asList(a.get("--server-args").trim().split("\\s+")));
    }

    private static int integer(Map<String, String> a, String key) {
        return Integer.parseInt(a.get(key));
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or a number of seconds. */
    static Duration duration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.replaceAll("[smh]$", ""));
        return switch (v.charAt(v.length() - 1)) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    int healthy() {
        return webhooks - hanging - failing;
    }

    /** The parameters as a command line, for the report and the docs. */
    String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("--duration " + duration.toSeconds() + "s");
        parts.add("--sse " + sse);
        parts.add("--ws " + ws);
        parts.add("--rate " + rate);
        parts.add("--topics " + topics);
        parts.add("--webhook-share " + hookShare);
        parts.add("--webhooks " + webhooks);
        parts.add("--hanging " + hanging);
        parts.add("--failing " + failing);
        parts.add("--reconnects " + reconnects);
        parts.add("--server-heap " + serverHeap);
        // a password given in the URL stays out of the output and the committed verdict
        parts.add(dbUrl.isEmpty() ? "(H2)" : "--db-url " + dbUrl.replaceAll("(?i)(password=)[^&;]*", "$1***"));
        if (!serverArgs.isEmpty()) {
            parts.add("--server-args '" + String.join(" ", serverArgs) + "'");
        }
        return String.join(" ", parts);
    }
}
