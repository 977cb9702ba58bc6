package dev.notify.channel.poll.internal;

import dev.notify.api.EventLogSlice;
import dev.notify.api.Identity;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.web.Problems;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * {@code GET /api/v1/notifications/poll}: answers from the event log at once when there is
 * something (or nothing should be waited for), otherwise suspends the request as a
 * {@link LongPoll} until an event, shutdown or the end of {@code wait}.
 */
final class PollServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient PollChannel channel;

    PollServlet(PollChannel channel) {
        this.channel = channel;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object who = req.getAttribute(Identity.REQUEST_ATTRIBUTE);
        if (!(who instanceof Identity)) {
            Problems.write(resp, 401, "Unauthorized", "polling needs an authenticated user");
            return;
        }
        Identity identity = (Identity) who;
        PollParams p;
        try {
            p = PollParams.parse(req.getParameter("after"), req.getParameter("wait"), req.getParameter("limit"),
                    req.getParameter("topics"), channel.settings());
        } catch (PollParams.BadParameter e) {
            Problems.write(resp, 400, "Bad Request", e.getMessage());
            return;
        }
        for (String topic : p.topics()) {
            if (!identity.mayRead(topic)) {
                Problems.write(resp, 403, "Forbidden", "topic '" + topic + "' is not granted to this user's token");
                return;
            }
        }
        String user = identity.userId();
        EventLogSlice slice = read(user, p.topics(), p.after(), p.limit());
        if (!slice.entries().isEmpty() || slice.pruned() || p.waitMillis() == 0 || channel.isClosed()) {
            write(resp, channel, slice, p.after());
            return;
        }

        LongPoll poll = new LongPoll(channel, user, p.topics(), p.after(), p.limit());
        try {
            poll.attach(channel.context().hub().subscribe(
                    new SubscriptionRequest(channel.name(), poll.clientId(), user, p.topics()), poll));
        } catch (SubscriberHub.TooManyConnectionsException e) {
            resp.setHeader("Retry-After", "1");
            Problems.write(resp, 429, "Too Many Requests", e.getMessage());
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(p.waitMillis());
        async.addListener(poll);
        poll.start(async);
        // an event committed between the first read and subscribing woke nobody: look once more
        EventLogSlice again = read(user, p.topics(), p.after(), p.limit());
        if (!again.entries().isEmpty()) {
            poll.wake();
        }
    }

    private EventLogSlice read(String user, Set<String> topics, long after, int limit) {
        return channel.context().eventLog().readAfter(after, user, topics, limit);
    }

    static void writeAnswer(HttpServletResponse resp, PollChannel channel, String user, Set<String> topics, long after, int limit)
            throws IOException {
        write(resp, channel, channel.context().eventLog().readAfter(after, user, topics, limit), after);
    }

    private static void write(HttpServletResponse resp, PollChannel channel, EventLogSlice slice, long after) throws IOException {
        byte[] body = channel.toJson(PollAnswer.of(slice, after)).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(200);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType("application/json");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
