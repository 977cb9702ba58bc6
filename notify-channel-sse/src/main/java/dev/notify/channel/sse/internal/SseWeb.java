package dev.notify.channel.sse.internal;

import dev.notify.api.spi.WebRegistry;

import java.util.List;

/**
 * Registers the stream servlet. Kept apart from {@link SseChannel} so that a host without the
 * Servlet API (a library user without HTTP) never loads a servlet class.
 */
final class SseWeb {

    private SseWeb() {
    }

    static void register(WebRegistry web, List<String> paths, SseChannel channel) {
        SseServlet servlet = new SseServlet(channel);
        for (String path : paths) {
            web.register(path, jakarta.servlet.Servlet.class, servlet);
        }
    }
}
