package dev.notify.channel.poll.internal;

import dev.notify.api.spi.WebRegistry;

/**
 * Registers the poll servlet. Kept apart from {@link PollChannel} so that a host without the
 * Servlet API never loads a servlet class.
 */
final class PollWeb {

    private PollWeb() {
    }

    static void register(WebRegistry web, String path, PollChannel channel) {
        web.register(path, jakarta.servlet.Servlet.class, new PollServlet(channel));
    }
}
