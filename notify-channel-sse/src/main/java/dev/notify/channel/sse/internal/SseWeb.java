package dev.notify.channel.sse.internal;

import dev.notify.api.spi.WebRegistry;
import dev.notify.channel.sse.SseChannelProvider;

/**
 * Registers the stream servlet. Kept apart from {@link SseChannel} so that a host without the
 * Servlet API (a library user without HTTP) never loads a servlet class.
 */
final class SseWeb {

    private SseWeb() {
    }

    static void register(WebRegistry web, SseChannel channel) {
        SseServlet servlet = new SseServlet(channel);
        web.register(SseChannelProvider.STREAM_PATH, jakarta.servlet.Servlet.class, servlet);
        web.register(SseChannelProvider.SUBSCRIBE_PATH, jakarta.servlet.Servlet.class, servlet);
    }
}
