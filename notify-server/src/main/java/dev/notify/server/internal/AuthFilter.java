package dev.notify.server.internal;

import dev.notify.api.Identity;
import dev.notify.api.spi.JsonCodec;
import dev.notify.server.internal.web.WebUi;
import dev.notify.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

/**
 * Authenticates every request below {@code /api/} and checks its role, before any servlet
 * (the API's or a channel's) or a WebSocket upgrade sees it.
 *
 * <p>Credentials: {@code Authorization: Bearer <api-key>} makes a publisher;
 * {@code Authorization: Bearer <jwt>} or {@code ?token=<stream token>} makes a user, whose
 * {@link Identity} is set as request attribute {@link Identity#REQUEST_ATTRIBUTE}; a publisher is set as
 * {@link dev.notify.api.Publisher#REQUEST_ATTRIBUTE} for channels' publisher endpoints.
 *
 * <p>Roles are decided on the decoded, normalised path the container routes on
 * ({@link Http#routedPath}), so {@code /api/v1/dev/token%73} is the publisher path it reaches.
 * A stream token is good for {@code GET} of the stream, WebSocket and poll endpoints only.
 *
 * <p>Roles: the publisher (admin) endpoints are publishing, live connections, dead letters and
 * webhooks; every other {@code /api/} path (inbox, streams, polling, stream tokens) is a user
 * endpoint. A user on a publisher endpoint, or a publisher on a user endpoint, gets 403: a
 * publisher never reads an inbox, since DESIGN.md gives it no endpoint to act for a user.
 * Missing, malformed, wrongly signed or expired credentials get 401 with {@code WWW-Authenticate}.
 */
public final class AuthFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    /** The endpoints EventSource and WebSocket clients, which cannot send headers, open with {@code ?token=}. */
    private static final java.util.Set<String> STREAM_PATHS = java.util.Set.of("/api/v1/notifications/stream",
            "/api/v1/notifications/subscribe", "/api/v1/notifications/ws", "/api/v1/notifications/poll");

    private final transient Authenticator auth;
    private final transient JsonCodec json;

    /** A filter checking credentials with {@code auth}. */
    public AuthFilter(Authenticator auth, JsonCodec json) {
        this.auth = auth;
        this.json = json;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws IOException, ServletException {
        // no OPTIONS exception: a CORS preflight is answered by CorsFilter before this filter when
        // CORS is configured; any other OPTIONS request reaches a servlet and needs credentials like the rest
        String path = Http.routedPath(req);
        if (WebUi.OPENAPI.equals(path) && "GET".equals(req.getMethod())) {
            chain.doFilter(req, res); // the API's description is public, like the page that renders it
            return;
        }
        Caller caller;
        try {
            caller = authenticate(req);
        } catch (Authenticator.AuthException e) {
            unauthorized(req, res, e.getMessage());
            return;
        } catch (ApiException e) {
            // a query string that does not decode (a stray %) is the client's error, not the server's
            Problems.write(res, e.status(), e.title(), e.getMessage(), e.headers());
            return;
        }
        boolean publisherPath = isPublisherPath(req.getMethod(), path);
        if (caller instanceof Caller.Publisher && !publisherPath && !isSharedPath(path)) {
            forbidden(req, res, "this endpoint is for users (a JWT or stream token); the API key may only publish and administer");
            return;
        }
        if (caller instanceof Caller.User && publisherPath) {
            forbidden(req, res, "this endpoint is for publishers (the API key); a user token may not call it");
            return;
        }
        if (caller instanceof Caller.User u && u.streamToken() && !isStreamPath(req.getMethod(), path)) {
            forbidden(req, res, "a stream token opens the stream, WebSocket and poll endpoints (GET) only; send the JWT as Authorization: Bearer");
            return;
        }
        req.setAttribute(Caller.REQUEST_ATTRIBUTE, caller);
        if (caller instanceof Caller.User u) {
            req.setAttribute(Identity.REQUEST_ATTRIBUTE, u.identity());
            if (!u.expiresAt().equals(java.time.Instant.MAX)) {
                // streams outlive the request that opened them: the channel ends them when this passes
                req.setAttribute(Identity.EXPIRES_AT_ATTRIBUTE, u.expiresAt());
            }
        } else if (caller instanceof Caller.Publisher p) {
            // what channels' publisher endpoints (the webhook registry) read; they cannot see Caller
            req.setAttribute(dev.notify.api.Publisher.REQUEST_ATTRIBUTE, new dev.notify.api.Publisher(p.keyId()));
        }
        chain.doFilter(req, res);
    }

    private Caller authenticate(HttpServletRequest req) {
        String header = req.getHeader("Authorization");
        // Never req.getParameter(): for a form-encoded POST it would read (and consume) the body.
        String token = Http.queryParam(req, "token");
        if (header != null && !header.isBlank()) {
            String h = header.trim();
            if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new Authenticator.AuthException("the Authorization header must be 'Bearer <api key or JWT>'");
            }
            String credential = h.substring(7).trim();
            if (auth.isApiKey(credential)) {
                return new Caller.Publisher(auth.apiKeyId());
            }
            if (credential.chars().filter(c -> c == '.').count() != 2) {
                throw new Authenticator.AuthException("the bearer credential is neither the API key nor a JWT");
            }
            return auth.verifyUserToken(credential, false);
        }
        if (token != null && !token.isBlank()) {
            return auth.verifyUserToken(token.trim(), true);
        }
        throw new Authenticator.AuthException("no credentials: send 'Authorization: Bearer <api key or JWT>' or ?token=<stream token>");
    }

    /** Whether a method and path below the context is one a stream token may open: GET of a stream, the WebSocket or the poll. */
    static boolean isStreamPath(String method, String path) {
        return "GET".equals(method) && STREAM_PATHS.contains(path);
    }

    /** Whether a path serves users (for themselves) and publishers (on behalf of a user) alike. */
    static boolean isSharedPath(String path) {
        return path.equals("/api/v1/preferences");
    }

    /** Whether a method and path below the context is a publisher (admin) endpoint. */
    static boolean isPublisherPath(String method, String path) {
        if (path.equals("/api/v1/notifications") && "POST".equals(method)) {
            return true;
        }
        return path.equals("/api/v1/notifications/batch")
                || path.equals("/api/v1/notifications/stream/connections") || path.equals("/api/v1/admin/nodes")
                || path.equals("/api/v1/dead-letters") || path.startsWith("/api/v1/dead-letters/")
                || path.equals("/api/v1/webhooks") || path.startsWith("/api/v1/webhooks/")
                || path.equals("/api/v1/dev/tokens");
    }

    private void unauthorized(HttpServletRequest req, HttpServletResponse res, String detail) throws IOException {
        closeIfBodyUnread(req, res);
        Problems.write(res, 401, "Unauthorized", detail,
                Map.of("WWW-Authenticate", "Bearer realm=\"notify\""));
    }

    private void forbidden(HttpServletRequest req, HttpServletResponse res, String detail) throws IOException {
        closeIfBodyUnread(req, res);
        Problems.write(res, 403, "Forbidden", detail, Map.of());
    }

    /**
     * A refused request's body is never read: the connection is closed after the answer, and says
     * so. Otherwise the server may have to drop a connection whose unread body it cannot skip after
     * the answer went out without {@code Connection: close}, and a client that reuses it for its next
     * request gets no answer at all (seen in StreamTokenScopeTest: a POST right after a refused PATCH
     * failed with "header parser received no bytes").
     */
    private static void closeIfBodyUnread(HttpServletRequest req, HttpServletResponse res) {
        if (req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null) {
            res.setHeader("Connection", "close");
        }
    }
}
