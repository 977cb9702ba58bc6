package dev.notify.channel.sse.internal;

import dev.notify.api.Identity;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxStats;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.web.Problems;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;

/**
 * {@code GET /api/v1/notifications/stream}: checks the request, subscribes the connection to the
 * hub, and hands the response over to an {@link SseConnection} in async mode. No thread waits
 * on an open stream.
 */
final class SseServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient SseChannel channel;

    /** The response buffer of a stream, in bytes: Jetty's smallest pooled buffer. */
    static final int STREAM_BUFFER = 4096;

    SseServlet(SseChannel channel) {
        this.channel = channel;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object who = req.getAttribute(Identity.REQUEST_ATTRIBUTE);
        if (!(who instanceof Identity)) {
            // the host authenticates /api/* first; without an identity it was not configured to
            Problems.write(resp, 401, "Unauthorized", "the stream needs an authenticated user");
            return;
        }
        Identity identity = (Identity) who;
        if (channel.isClosed()) {
            Problems.write(resp, 503, "Service Unavailable", "the server is shutting down; reconnect shortly");
            return;
        }
        StreamParams params;
        try {
            params = StreamParams.parse(req.getParameter("topics"), req.getHeader("Last-Event-ID"),
                    req.getParameter("lastEventId"), channel.settings().maxTopics());
        } catch (StreamParams.BadParameter e) {
            Problems.write(resp, 400, "Bad Request", e.getMessage());
            return;
        }
        for (String topic : params.topics()) {
            if (!identity.mayRead(topic)) {
                Problems.write(resp, 403, "Forbidden", "topic '" + topic + "' is not granted to this user's token");
                return;
            }
        }

        SseConnection connection = channel.newConnection(identity.userId(), params.topics());
        Subscription subscription;
        try {
            subscription = channel.context().hub().subscribe(new SubscriptionRequest(channel.name(),
                    connection.clientId(), identity.userId(), params.topics()), connection);
        } catch (SubscriberHub.TooManyConnectionsException e) {
            connection.close();
            resp.setHeader("Retry-After", Long.toString(Math.max(1, channel.settings().retry().toSeconds())));
            Problems.write(resp, 429, "Too Many Requests", e.getMessage());
            return;
        }
        connection.attach(subscription);
        try {
            // subscribed first: whatever is published from here on is held until the stream is ready
            long logHead = channel.context().eventLog().latestSequence();
            InboxStats stats = channel.context().inbox().stats(identity.userId());
            int recentLimit = channel.settings().recentLimit();
            List<InboxItem> recent = recentLimit == 0 ? List.of() : channel.context().inbox().recentUnread(identity.userId(), recentLimit);

            resp.setStatus(200);
            resp.setContentType("text/event-stream");
            resp.setHeader("Cache-Control", "no-cache, no-store, no-transform");
            // reverse proxies (nginx) must not buffer the stream
            resp.setHeader("X-Accel-Buffering", "no");
            // the container's response buffer is held for as long as the stream is open (Jetty: 32 KiB from its
            // pool, 2/3 of a stream's memory); a frame or two is what a stream aggregates between flushes, and a
            // larger write goes out without being copied (issue 15)
            resp.setBufferSize(STREAM_BUFFER);
            AsyncContext async = req.startAsync();
            async.setTimeout(0);
            ServletOutputStream out = resp.getOutputStream();
            ServletSink sink = new ServletSink(async, out, connection);
            async.addListener(sink);
            out.setWriteListener(sink);
            connection.start(sink, stats, recent, params.resumeAfter(), logHead);
            if (req.getAttribute(Identity.EXPIRES_AT_ATTRIBUTE) instanceof java.time.Instant expiresAt) {
                connection.endWhenCredentialExpires(expiresAt);
            }
        } catch (RuntimeException e) {
            connection.close();
            if (!resp.isCommitted() && !req.isAsyncStarted()) {
                channel.context().logger().log(System.Logger.Level.WARNING, "cannot open SSE stream for user " + identity.userId(), e);
                // the cause is for the log only: a database error's text may name hosts, tables or credentials
                if (e instanceof dev.notify.api.spi.StoreException) {
                    Problems.write(resp, 503, "Service Unavailable", "the database is unavailable; reconnect shortly",
                            java.util.Map.of("Retry-After", Long.toString(Math.max(1, channel.settings().retry().toSeconds()))));
                } else {
                    Problems.write(resp, 500, "Internal Server Error", "the stream could not be opened; see the server log");
                }
                return;
            }
            throw e;
        }
    }
}
