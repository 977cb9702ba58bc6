package dev.notify.server.internal;

import dev.notify.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Applies the per-user limits of {@link RateLimits}: stream connects (SSE, WebSocket upgrade,
 * poll) and inbox calls. Publishing is limited by {@link ApiServlet}, which knows a batch's size
 * only once it has read it. Runs after {@link AuthFilter}, so only an authenticated user has a
 * bucket, and before {@link StreamAdmission}.
 */
public final class RateLimitFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final String NOTIFICATIONS = "/api/v1/notifications";

    private final transient RateLimits limits;

    /** A filter applying {@code limits}. */
    public RateLimitFilter(RateLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (req.getAttribute(Caller.REQUEST_ATTRIBUTE) instanceof Caller.User user) {
            String path = Http.routedPath(req);
            String id = user.identity().userId();
            ApiException refused = null;
            if (AuthFilter.isStreamPath(req.getMethod(), path)) {
                refused = limits.streamConnect(res, id, isHeldStream(path));
            } else if (isInboxPath(path)) {
                refused = limits.inboxCall(res, id);
            }
            if (refused != null) {
                Problems.write(res, refused.status(), refused.title(), refused.getMessage(), refused.headers());
                return;
            }
        }
        chain.doFilter(req, res);
    }

    // an SSE stream or a WebSocket, held open; a poll answers within its wait and its headers are read
    private static boolean isHeldStream(String path) {
        return !path.equals(NOTIFICATIONS + "/poll");
    }

    private static boolean isInboxPath(String path) {
        return path.equals(NOTIFICATIONS) || path.startsWith(NOTIFICATIONS + "/") || path.equals("/api/v1/preferences");
    }
}
