package dev.notify.server.internal;

import dev.notify.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

/**
 * Refuses a new stream (SSE, WebSocket upgrade, long poll) with 503 and {@code Retry-After} when
 * the server's connections are past the stream threshold of {@link ConnectionLimits}; every other
 * request, and every stream already open, goes on. Runs after {@link AuthFilter}, so an
 * unauthenticated client learns nothing about the load.
 */
public final class StreamAdmission extends HttpFilter {

    private static final long serialVersionUID = 1L;
    /** Seconds a refused client waits; the browser client backs off further on repeated refusals. */
    static final String RETRY_AFTER = "10";

    private final transient ConnectionLimits limits;

    /** A filter admitting streams while {@code limits} has room. */
    public StreamAdmission(ConnectionLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (AuthFilter.isStreamPath(req.getMethod(), Http.routedPath(req)) && limits.streamsFull()) {
            if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                // a browser's WebSocket cannot read a failed handshake's status: the endpoint closes with 1013 instead
                req.setAttribute(dev.notify.api.spi.WebRegistry.STREAM_REFUSED_ATTRIBUTE,
                        "the server holds as many streams as it may; try again in " + RETRY_AFTER + " s");
                chain.doFilter(req, res);
                return;
            }
            Problems.write(res, 503, "Service Unavailable", "the server holds as many streams as it may; try again shortly"
                    + " (publishing and the inbox still work)", Map.of("Retry-After", RETRY_AFTER));
            return;
        }
        chain.doFilter(req, res);
    }
}
