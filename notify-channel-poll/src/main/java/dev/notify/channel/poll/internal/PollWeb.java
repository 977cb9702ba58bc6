package dev.notify.channel.poll.internal;

import dev.notify.api.spi.WebRegistry;
import dev.notify.channel.poll.PollChannelProvider;

/**
 * Registers the poll servlet. Kept apart from {@link PollChannel} so that a host without the
 * Servlet API never loads a servlet class.
 */
final class PollWeb {

    private PollWeb() {
    }

    static void register(WebRegistry web, PollChannel channel) {
        web.register(PollChannelProvider.POLL_PATH, jakarta.servlet.Servlet.class, new PollServlet(channel));
    }
}
