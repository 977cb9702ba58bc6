package dev.notify.server.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;

/**
 * CORS for the origins of {@code --cors-origins} ({@code *} for any). Preflights are answered
 * here, before authentication, since browsers send them without credentials.
 */
public final class CorsFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    private final List<String> origins;

    /** A filter allowing these origins. */
    public CorsFilter(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws IOException, ServletException {
        String origin = req.getHeader("Origin");
        boolean allowed = origin != null && (origins.contains("*") || origins.contains(origin));
        if (allowed) {
            res.setHeader("Access-Control-Allow-Origin", origins.contains("*") ? "*" : origin);
            res.addHeader("Vary", "Origin");
            res.setHeader("Access-Control-Expose-Headers", "Retry-After, Location");
        }
        if ("OPTIONS".equals(req.getMethod()) && req.getHeader("Access-Control-Request-Method") != null) {
            if (allowed) {
                res.setHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
                res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
                res.setHeader("Access-Control-Max-Age", "600");
            }
            res.setStatus(allowed ? 204 : 403);
            return;
        }
        chain.doFilter(req, res);
    }
}
