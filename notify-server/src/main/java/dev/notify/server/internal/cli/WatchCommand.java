package dev.notify.server.internal.cli;

import dev.notify.api.spi.JsonCodec;
import dev.notify.core.JsonbCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code notify-server watch --url URL --token JWT [--topic T]...}: follows the user's SSE stream
 * and shows {@code task.*} events as progress bars, one line per task, redrawn in place on a
 * terminal and printed as plain lines when stdout is a pipe. It reconnects with backoff and
 * resumes from the last event id, so a restarted server costs no event. Ctrl-C restores the cursor.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Follows a user's notification stream (SSE) and draws task.* events as live progress bars.",
                "Plain lines when stdout is not a terminal. Ctrl-C stops.",
                "Example: java -jar notify-server.jar watch --url http://localhost:8080 --token $TOKEN --topic 'task:*'"})
final class WatchCommand implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", description = "The server's base URL (http://localhost:8080). Env: NOTIFY_URL.")
    String url;

    @Option(names = "--token", paramLabel = "JWT", description = "A user JWT (see the token command) or stream token. Env: NOTIFY_TOKEN.")
    String token;

    @Option(names = "--topic", paramLabel = "TOPIC", split = ",", description = "A topic or prefix:* pattern to follow besides the user's own notifications; repeatable.")
    List<String> topics;

    @Option(names = "--plain", description = "Plain lines even on a terminal.")
    boolean plain;

    @Option(names = "--exit-when-done", description = "Exit once every task seen has finished: 0 if all completed, 1 if any failed.")
    boolean exitWhenDone;

    @Spec
    CommandSpec spec;

    private final JsonCodec json = new JsonbCodec();
    private volatile boolean stopping;
    private volatile InputStream current;

    @Override
    public Integer call() throws InterruptedException {
        if (url == null || url.isBlank() || token == null || token.isBlank()) {
            spec.commandLine().getErr().println("notify watch: --url and --token are required (or NOTIFY_URL and NOTIFY_TOKEN)");
            return 2;
        }
        URI stream;
        try {
            stream = streamUri();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("notify watch: --url '" + url + "' is not a URL: " + e.getMessage());
            return 2;
        }
        boolean ansi = !plain && Terminal.isInteractive();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        TaskBoard board = new TaskBoard(out, ansi, System::nanoTime);
        Thread hook = new Thread(() -> {
            // Ctrl-C: say so and give the cursor back before the stream's end wakes the reader
            stopping = true;
            board.note("stopped watching");
            board.close();
            closeQuietly(current);
        }, "notify-watch-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "notify-watch-tick");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(board::tick, 1, 1, TimeUnit.SECONDS);
        try {
            return follow(stream, board);
        } finally {
            ticker.shutdownNow();
            board.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
        }
    }

    private URI streamUri() {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String path = base.contains("/api/") ? base : base + "/api/v1/notifications/stream";
        if (topics != null && !topics.isEmpty()) {
            path += (path.contains("?") ? "&" : "?") + "topics=" + URLEncoder.encode(String.join(",", topics), StandardCharsets.UTF_8);
        }
        URI u = URI.create(path);
        if (u.getScheme() == null || !u.getScheme().startsWith("http")) {
            throw new IllegalArgumentException("it must start with http:// or https://");
        }
        return u;
    }

    private int follow(URI stream, TaskBoard board) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String lastEventId = null;
        int failures = 0;
        while (!stopping) {
            HttpRequest.Builder req = HttpRequest.newBuilder(stream).GET()
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + token.trim());
            if (lastEventId != null) {
                req.header("Last-Event-ID", lastEventId);
            }
            try {
                HttpResponse<InputStream> res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (res.statusCode() != 200) {
                    String body = new String(res.body().readAllBytes(), StandardCharsets.UTF_8);
                    String detail = PublishCommand.detail(json, body);
                    if (res.statusCode() >= 400 && res.statusCode() < 500 && res.statusCode() != 429) {
                        board.note("✗ the server refused the stream: " + res.statusCode() + " " + detail);
                        return 1;
                    }
                    throw new IOException("the server answered " + res.statusCode() + " " + detail);
                }
                current = res.body();
                Reader r = new Reader(board);
                r.lastEventId = lastEventId;
                Integer exit = r.read(res.body());
                lastEventId = r.lastEventId;
                if (exit != null) {
                    return exit;
                }
                failures = r.sawConnected ? 0 : failures + 1;
                if (!stopping) {
                    board.note("· the stream ended; reconnecting");
                }
            } catch (IOException e) {
                if (stopping) {
                    break;
                }
                failures++;
                board.note("· cannot reach " + stream.getHost() + ":" + stream.getPort() + " (" + reason(e) + "); retrying");
            }
            if (!stopping) {
                // exponential backoff with full jitter, 0.5 s to 30 s
                long cap = Math.min(30_000, 500L << Math.min(failures, 6));
                Thread.sleep(failures == 0 ? 200 : ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
            }
        }
        return 0;
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing to unblock the reader; nothing to report
            }
        }
    }

    /** Reads SSE frames and hands them to the board. */
    private final class Reader {
        private final TaskBoard board;
        String lastEventId;
        boolean sawConnected;

        Reader(TaskBoard board) {
            this.board = board;
        }

        /** Reads until the stream ends; an exit status when --exit-when-done says to stop. */
        Integer read(InputStream in) throws IOException {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String event = null;
            String id = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (id != null) {
                        lastEventId = id;
                    }
                    if (data.length() > 0) {
                        Integer exit = dispatch(event == null ? "message" : event, data.toString());
                        if (exit != null) {
                            return exit;
                        }
                    }
                    event = null;
                    id = null;
                    data.setLength(0);
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "event" -> event = value;
                    case "id" -> id = value;
                    case "data" -> data.append(data.length() > 0 ? "\n" : "").append(value);
                    default -> { } // retry: this watcher has its own backoff
                }
            }
            return null;
        }

        private Integer dispatch(String event, String data) {
            Map<String, Object> m;
            try {
                m = json.parseObject(data);
            } catch (RuntimeException e) {
                return null;
            }
            switch (event) {
                case "connected" -> {
                    if (!sawConnected) {
                        board.note("· watching as " + m.get("userId") + (topics == null || topics.isEmpty() ? "" : " (topics " + String.join(", ", topics) + ")"));
                    }
                    sawConnected = true;
                    return null;
                }
                case "stats", "recent", "pruned" -> {
                    return null;
                }
                default -> {
                    // a notification
                }
            }
            if (event.startsWith("task.")) {
                Object d = m.get("data");
                Map<?, ?> dm = d instanceof Map<?, ?> x ? x : Map.of();
                String taskId = text(m.get("task_id"), text(dm.get("task_id"), text(m.get("topic"), text(m.get("id"), "task"))));
                Double percent = dm.get("percent") instanceof Number n ? n.doubleValue() : null;
                String message = text(dm.get("message"), text(dm.get("error"), text(m.get("title"), text(m.get("body"), null))));
                board.onTaskEvent(taskId, event, percent, message);
                if (exitWhenDone && board.allDone()) {
                    return board.allSucceeded() ? 0 : 1;
                }
            } else {
                String title = text(m.get("title"), "");
                String body = text(m.get("body"), "");
                board.note("• " + text(m.get("type"), "info") + " " + event + ": " + title + (body.isEmpty() ? "" : " — " + body));
            }
            return null;
        }
    }

    // control characters from the server are dropped, so a title cannot send escape sequences to the terminal
    private static String text(Object o, String fallback) {
        return o == null || String.valueOf(o).isBlank() ? fallback : String.valueOf(o).replaceAll("\\p{Cntrl}", " ");
    }
}
