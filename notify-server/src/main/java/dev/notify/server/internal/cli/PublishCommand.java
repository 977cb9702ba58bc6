package dev.notify.server.internal.cli;

import dev.notify.api.spi.JsonCodec;
import dev.notify.core.JsonbCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code notify-server publish --url URL --api-key KEY --to u1 --title Hi}: publishes one
 * notification from a shell script. Prints the new id on stdout and exits 0; on any problem
 * prints the server's problem detail on stderr and exits 1 (2 for bad usage).
 */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publishes one notification (POST /api/v1/notifications) and prints its id.",
                "Exit status 0 when accepted, 1 with the problem detail on stderr otherwise.",
                "Example: java -jar notify-server.jar publish --url http://localhost:8080 --api-key $API_KEY \\",
                "           --to u1 --topic task:abc123 --event task.progress --data '{\"task_id\":\"abc123\",\"percent\":50}'"})
final class PublishCommand implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", description = "The server's base URL (http://localhost:8080). Env: NOTIFY_URL.")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", description = "The publishers' API key. Env: NOTIFY_API_KEY.")
    String apiKey;

    @Option(names = "--json", paramLabel = "BODY", description = "The whole publish body as JSON, @file to read it from a file, or - for stdin; the flags below override its fields.")
    String body;

    @Option(names = "--to", paramLabel = "USERS", split = ",", description = "Recipients, comma-separated or repeated.")
    List<String> recipients;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "The topic (task:abc123).")
    String topic;

    @Option(names = "--event", paramLabel = "NAME", description = "The event name (task.progress). Default: notification.")
    String event;

    @Option(names = "--type", paramLabel = "TYPE", description = "info, warning, error or success.")
    String type;

    @Option(names = "--priority", paramLabel = "PRIORITY", description = "low, normal, high or critical.")
    String priority;

    @Option(names = "--title", paramLabel = "TEXT", description = "The title.")
    String title;

    @Option(names = "--body", paramLabel = "TEXT", description = "The body text.")
    String text;

    @Option(names = "--data", paramLabel = "JSON", description = "The data object, as JSON: '{\"percent\":50}'.")
    String data;

    @Option(names = "--channel", paramLabel = "NAMES", split = ",", description = "Only these channels (sse,webhook).")
    List<String> channels;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "A key that makes a retried publish a no-op.")
    String idempotencyKey;

    @Option(names = "--broadcast", description = "With --to and --topic: send it to every subscriber of the topic too, not only to the recipients.")
    boolean broadcast;

    @Spec
    CommandSpec spec;

    private final JsonCodec json = new JsonbCodec();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (url == null || url.isBlank() || apiKey == null || apiKey.isBlank()) {
            err.println("notify publish: --url and --api-key are required (or NOTIFY_URL and NOTIFY_API_KEY)");
            return 2;
        }
        Map<String, Object> n;
        try {
            n = notification();
        } catch (IllegalArgumentException | IOException e) {
            err.println("notify publish: " + e.getMessage());
            return 2;
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(base + "/api/v1/notifications"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey.trim())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.toJson(n))).build();
        } catch (IllegalArgumentException e) {
            err.println("notify publish: --url '" + url + "' is not a URL: " + e.getMessage());
            return 2;
        }
        try {
            HttpResponse<String> res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 202) {
                err.println("notify publish: " + res.statusCode() + " " + detail(json, res.body()));
                return 1;
            }
            Map<String, Object> answer = json.parseObject(res.body());
            spec.commandLine().getOut().println(answer.get("id"));
            if (Boolean.TRUE.equals(answer.get("duplicate"))) {
                err.println("notify publish: duplicate of an earlier publish with the same idempotency key");
            }
            return 0;
        } catch (IOException e) {
            err.println("notify publish: cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private Map<String, Object> notification() throws IOException {
        Map<String, Object> n = new LinkedHashMap<>();
        if (body != null) {
            String text = body.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : body.startsWith("@") ? Files.readString(Path.of(body.substring(1)), StandardCharsets.UTF_8) : body;
            n.putAll(object("--json", text));
        }
        if (recipients != null) {
            n.put("recipients", recipients.stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        put(n, "topic", topic);
        put(n, "event", event);
        put(n, "type", type);
        put(n, "priority", priority);
        put(n, "title", title);
        put(n, "body", text);
        put(n, "idempotencyKey", idempotencyKey);
        if (data != null) {
            n.put("data", object("--data", data));
        }
        if (channels != null) {
            n.put("channels", channels);
        }
        if (broadcast) {
            n.put("broadcast", true);
        }
        if (n.get("recipients") == null && n.get("topic") == null) {
            throw new IllegalArgumentException("say who gets it: --to USER and/or --topic TOPIC");
        }
        return n;
    }

    private Map<String, Object> object(String what, String text) {
        try {
            return json.parseObject(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " is not a JSON object: " + e.getMessage());
        }
    }

    private static void put(Map<String, Object> n, String key, String value) {
        if (value != null) {
            n.put(key, value);
        }
    }

    /** The problem detail of an error answer, or its first line when it is not a problem document. */
    static String detail(JsonCodec json, String body) {
        try {
            Map<String, Object> p = json.parseObject(body);
            Object title = p.get("title");
            Object detail = p.get("detail");
            if (detail != null) {
                return (title == null ? "" : title + ": ") + detail;
            }
        } catch (RuntimeException e) {
            // not JSON: show the text itself
        }
        String t = body == null ? "" : body.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
