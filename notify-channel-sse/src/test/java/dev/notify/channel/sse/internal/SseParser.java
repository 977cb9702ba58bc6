package dev.notify.channel.sse.internal;

import java.util.ArrayList;
import java.util.List;

/** Parses an event stream the way the WHATWG EventSource algorithm does, to check what a browser would see. */
final class SseParser {

    /** A dispatched event ({@code data} joined by newlines), a comment, or a frame that only moved the id. */
    record Frame(String id, String event, String data, String comment, Long retry) {
        boolean isEvent() {
            return data != null;
        }
    }

    private SseParser() {
    }

    static List<Frame> parse(String stream) {
        List<Frame> out = new ArrayList<>();
        String id = null;
        String event = null;
        StringBuilder data = null;
        Long retry = null;
        StringBuilder comment = null;
        boolean any = false;
        for (String line : stream.split("\r\n|\r|\n", -1)) {
            if (line.isEmpty()) {
                if (any) {
                    out.add(new Frame(id, event, data == null ? null : data.toString(), comment == null ? null : comment.toString(), retry));
                }
                id = null;
                event = null;
                data = null;
                retry = null;
                comment = null;
                any = false;
                continue;
            }
            any = true;
            if (line.startsWith(":")) {
                String c = line.substring(1).startsWith(" ") ? line.substring(2) : line.substring(1);
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
                case "id": id = value; break;
                case "event": event = value; break;
                case "data": data = data == null ? new StringBuilder(value) : data.append('\n').append(value); break;
                case "retry": retry = Long.parseLong(value); break;
                default: break;
            }
        }
        return out;
    }
}
