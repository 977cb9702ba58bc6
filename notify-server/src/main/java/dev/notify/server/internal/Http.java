package dev.notify.server.internal;

import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.JsonException;
import dev.notify.web.RefusedBodies;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Small helpers for reading requests and writing JSON responses. */
public final class Http {

    private Http() {
    }

    /**
     * The path a request is routed on: decoded, dot segments resolved and {@code ;parameters}
     * dropped by the container, below the context path, without a trailing slash. Roles and routes
     * are decided on this, never on {@link HttpServletRequest#getRequestURI()}, whose raw spelling
     * ({@code /api/v1/dev/token%73}) the container maps to the same servlet.
     */
    public static String routedPath(HttpServletRequest req) {
        String servletPath = req.getServletPath();
        String info = req.getPathInfo();
        String p = (servletPath == null ? "" : servletPath) + (info == null ? "" : info);
        if (p.isEmpty()) {
            p = "/";
        }
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** A query parameter read from the query string alone (never from a form body). */
    public static String queryParam(HttpServletRequest req, String name) {
        String q = req.getQueryString();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(k).equals(name)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    /** A client's text quoted in an error message: at most 64 characters, control characters escaped. */
    public static String excerpt(String s) {
        return excerpt(s, 64);
    }

    /** {@code s} cut to {@code max} characters with control characters escaped, for a message that may quote a client. */
    public static String excerpt(String s, int max) {
        return dev.notify.api.Excerpts.of(s, max);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the query string is not properly percent-encoded");
        }
    }

    /**
     * The request body as text, refusing bodies over {@code maxBytes} with 413 whether or not a
     * Content-Length was sent.
     */
    public static String body(HttpServletRequest req, long maxBytes) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > maxBytes) {
            RefusedBodies.drain(req.getInputStream(), declared);
            throw tooLarge(maxBytes);
        }
        try (InputStream in = req.getInputStream()) {
            return read(in, declared, maxBytes);
        }
    }

    /** What the buffer starts with: a declared length is the client's word, not yet bytes to hold. */
    private static final int INITIAL_BUFFER = 8192;

    /**
     * Reads a body of at most {@code maxBytes}. The buffer grows with the bytes that arrive; it is
     * never sized by the declared {@code Content-Length}, or a client declaring the maximum and
     * sending nothing would hold that much memory per request.
     */
    static String read(InputStream in, long declared, long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(INITIAL_BUFFER, Math.max(declared, 64)));
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > maxBytes) {
                // a body of no declared length past the limit is cut off with the connection, not drained
                throw tooLarge(maxBytes);
            }
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(413, "Content Too Large", "the request body is larger than " + max
                + " bytes, the most this server accepts (--max-body-bytes)");
    }

    /** Parses a body that must be a JSON object. */
    public static Map<String, Object> jsonObject(JsonCodec json, String body) {
        if (body.isBlank()) {
            throw ApiException.badRequest("the request body is empty; a JSON object is expected");
        }
        try {
            return json.parseObject(body);
        } catch (JsonException e) {
            throw new ApiException(400, "Malformed JSON", "the request body is not a valid JSON object: " + e.getMessage());
        }
    }

    /** Parses a body that must be a JSON array. */
    public static List<Object> jsonArray(JsonCodec json, String body) {
        try {
            @SuppressWarnings("unchecked")
            List<Object> list = json.fromJson(body, List.class);
            if (list == null) {
                throw new ApiException(400, "Malformed JSON", "expected a JSON array");
            }
            return list;
        } catch (JsonException e) {
            throw new ApiException(400, "Malformed JSON", "the request body is not a valid JSON array: " + e.getMessage());
        }
    }

    /** Writes a JSON response. */
    public static void writeJson(HttpServletResponse res, JsonCodec json, int status, Object value) throws IOException {
        byte[] bytes = json.toJson(value).getBytes(StandardCharsets.UTF_8);
        res.setStatus(status);
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-store");
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }
}
