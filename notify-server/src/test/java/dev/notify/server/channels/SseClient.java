package dev.notify.server.channels;

import dev.notify.server.ApiContract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test EventSource over java.net.http: streams the body line by line on a daemon thread and
 * hands out frames as the WHATWG algorithm would see them (events, comments, retry hints).
 */
final class SseClient implements AutoCloseable {

    /** One frame: an event (data not null), a comment, a retry hint, or an id-only frame. */
    record Frame(String id, String event, String data, String comment, Long retry) {
        boolean isEvent() {
            return data != null;
        }

        String eventName() {
            return event == null ? "message" : event;
        }
    }

    private static final Frame END = new Frame(null, null, null, "<end of stream>", null);

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean ended;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Connects; the caller checks {@link #status()} (the body of an error is left unread). */
    static SseClient connect(HttpClient http, URI uri, String bearer, String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpRequest request = b.build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            ApiContract.get().checkStream(request, response);
            return new SseClient(response);
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int status() {
        return response.statusCode();
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            StringBuilder comment = null;
            Long retry = null;
            boolean any = false;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (any) {
                        frames.add(new Frame(id, event, data == null ? null : data.toString(), comment == null ? null : comment.toString(), retry));
                    }
                    id = null;
                    event = null;
                    data = null;
                    comment = null;
                    retry = null;
                    any = false;
                    continue;
                }
                any = true;
                if (line.startsWith(":")) {
                    String c = line.startsWith(": ") ? line.substring(2) : line.substring(1);
                    comment = comment == null ? new StringBuilder(c) : comment.append('\n').append(c);
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> retry = Long.parseLong(value);
                    default -> { }
                }
            }
        } catch (IOException e) {
            // closed by the test or the server
        } finally {
            ended = true;
            frames.add(END);
        }
    }

    /** The next frame, or null when none arrives in time. */
    Frame poll(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next frame. */
    Frame next() {
        Frame f = poll(Duration.ofSeconds(10));
        if (f == null) {
            throw new AssertionError("no SSE frame within 10 s");
        }
        if (f == END) {
            throw new AssertionError("the stream ended");
        }
        return f;
    }

    /** The next event (comments and id-only frames skipped). */
    Frame nextEvent() {
        while (true) {
            Frame f = next();
            if (f.isEvent()) {
                return f;
            }
        }
    }

    /** The next event of this name, skipping others. */
    Frame nextEvent(String name) {
        while (true) {
            Frame f = nextEvent();
            if (name.equals(f.eventName())) {
                return f;
            }
        }
    }

    /** The next comment (events skipped). */
    Frame nextComment(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Frame f = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (f == null || f == END) {
                return null;
            }
            if (f.comment() != null && !f.isEvent()) {
                return f;
            }
        }
        return null;
    }

    /** Skips the greeting (retry, connected, stats, recent) and returns its frames. */
    List<Frame> greeting() {
        List<Frame> out = new ArrayList<>();
        while (true) {
            Frame f = next();
            out.add(f);
            if ("recent".equals(f.event())) {
                return out;
            }
        }
    }

    /** Waits for the end of the stream; true when it ended in time, collecting what came before. */
    boolean awaitEnd(Duration within, List<Frame> before) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Frame f = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (f == END) {
                return true;
            }
            if (f != null && before != null) {
                before.add(f);
            }
        }
        return ended;
    }

    /** Nothing waiting right now (for "nothing more arrived" checks after a pause). */
    List<Frame> drainNow() {
        List<Frame> out = new ArrayList<>();
        frames.drainTo(out);
        out.remove(END);
        return out;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
