package dev.notify.channel.sse.internal;

import java.nio.charset.StandardCharsets;

/**
 * Encodes Server-Sent Events frames. Field values that could end a line are refused (ids, event
 * names) or split into several lines (data, comments), so no value can inject a frame.
 */
public final class SseFrames {

    /** The heartbeat comment, shared by every connection. */
    public static final byte[] HEARTBEAT = comment("heartbeat");

    private SseFrames() {
    }

    /**
     * One event: {@code id:} (when {@code id} is not null), {@code event:} (when {@code event}
     * is not null), one {@code data:} line per line of {@code data}, then the blank line.
     *
     * @throws IllegalArgumentException when the id or the event name holds a line break or NUL,
     *         or the event name is empty
     */
    public static byte[] event(String id, String event, String data) {
        StringBuilder sb = new StringBuilder(32 + (data == null ? 0 : data.length()));
        if (id != null) {
            sb.append("id: ").append(singleLine("id", id)).append('\n');
        }
        if (event != null) {
            if (event.isEmpty()) {
                throw new IllegalArgumentException("an SSE event name must not be empty");
            }
            sb.append("event: ").append(singleLine("event name", event)).append('\n');
        }
        if (data != null) {
            appendLines(sb, "data: ", data);
        }
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A frame carrying only an id: it dispatches no event but moves the client's last event id,
     * so a reconnect does not replay what this connection skipped on purpose.
     */
    public static byte[] idOnly(long id) {
        return ("id: " + id + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A comment frame ({@code : text}), one comment line per line of text. */
    public static byte[] comment(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 4);
        appendLines(sb, ": ", text);
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The reconnect-delay hint ({@code retry: <millis>}). */
    public static byte[] retry(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("retry must not be negative, got " + millis);
        }
        return ("retry: " + millis + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void appendLines(StringBuilder sb, String prefix, String text) {
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                sb.append(prefix).append(text, start, i).append('\n');
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        sb.append(prefix).append(text, start, n).append('\n');
    }

    private static String singleLine(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException("an SSE " + what + " must be one line; it holds a "
                        + (c == '\0' ? "NUL" : "line break") + " at " + i);
            }
        }
        return value;
    }
}
