package dev.notify.server.internal.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the browser pages, {@code /notify-client.js} and the OpenAPI description
 * ({@code /api/v1/openapi.json}) from the jar's {@code web/} folder.
 *
 * <p>Only known names are served (a fixed page table plus {@code /ui/<name>.<ext>} with a plain
 * file name), so no request can walk the class path. Files are not fingerprinted, so every answer
 * says {@code no-cache} and carries an ETag: browsers revalidate with a cheap 304. Pages get a
 * Content-Security-Policy that allows scripts from this origin only, a second line of defence
 * behind the pages' rule of never putting notification data into HTML.
 */
final class StaticServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Pattern UI_NAME = Pattern.compile("/ui/[a-z0-9][a-z0-9-]*\\.(js|css|svg)");
    private static final Map<String, String> PAGES = Map.of(
            "/", "inbox.html",
            "/inbox", "inbox.html",
            "/admin", "admin.html",
            "/notify-client.js", "notify-client.js",
            WebUi.OPENAPI, "openapi.json");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json");
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /** Files found, by name; misses are not kept, or every request for a random name would grow it. */
    private final transient Map<String, Resource> cache = new ConcurrentHashMap<>();

    private record Resource(byte[] bytes, String type, String etag) {
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        serve(req, res, true);
    }

    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse res) throws IOException {
        serve(req, res, false);
    }

    private void serve(HttpServletRequest req, HttpServletResponse res, boolean body) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        String name = PAGES.get(path);
        if (name == null && UI_NAME.matcher(path).matches()) {
            name = path.substring(1);
        }
        Optional<Resource> found = name == null ? Optional.empty() : cached(name);
        if (found.isEmpty()) {
            res.setHeader("Cache-Control", "no-store");
            res.sendError(404, "no file at " + path);
            return;
        }
        Resource r = found.get();
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("ETag", r.etag());
        res.setHeader("X-Content-Type-Options", "nosniff");
        if (name.endsWith(".html")) {
            res.setHeader("Content-Security-Policy", CSP);
            res.setHeader("Referrer-Policy", "no-referrer");
            res.setHeader("X-Frame-Options", "DENY");
        }
        if (name.equals("notify-client.js") || name.equals("openapi.json")) {
            // public: applications on other origins import the client, API tools (Redoc, generators) read the description
            res.setHeader("Access-Control-Allow-Origin", "*");
        }
        String inm = req.getHeader("If-None-Match");
        if (inm != null && (inm.equals("*") || inm.contains(r.etag()))) {
            res.setStatus(304);
            return;
        }
        res.setStatus(200);
        res.setContentType(r.type());
        res.setContentLength(r.bytes().length);
        if (body) {
            res.getOutputStream().write(r.bytes());
        }
    }

    private Optional<Resource> cached(String name) {
        Resource r = cache.get(name);
        if (r != null) {
            return Optional.of(r);
        }
        Optional<Resource> loaded = load(name);
        loaded.ifPresent(l -> cache.putIfAbsent(name, l));
        return loaded;
    }

    /** The names of the files held in memory (tests). */
    java.util.Set<String> cachedNames() {
        return java.util.Set.copyOf(cache.keySet());
    }

    private static Optional<Resource> load(String name) {
        try (InputStream in = StaticServlet.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String ext = name.substring(name.lastIndexOf('.') + 1);
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8) + "\"";
            return Optional.of(new Resource(bytes, TYPES.getOrDefault(ext, "application/octet-stream"), etag));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read web/" + name + " from the server jar", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
