package dev.notify.web;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Writes RFC 9457 problem details, {@code {"type","title","status","detail"}}, as
 * {@code application/problem+json}: the one error format of the server and of every HTTP channel.
 *
 * <p>The body is written by a small escaper of its own rather than a JSON codec, so the bytes are
 * the same whichever codec a host configured and a host's error handler that runs outside any
 * servlet (a malformed request line) can produce them too.
 *
 * <pre>{@code
 * Problems.write(response, 403, "Forbidden", "topic 'a:b' is not granted to this user's token");
 * }</pre>
 */
public final class Problems {

    /** The media type of problem details. */
    public static final String MEDIA_TYPE = "application/problem+json";
    /**
     * The response header carrying the request's id, set by the host before the request is handled
     * (notify-server's {@code RequestIds}); when present, a problem repeats it as {@code requestId}
     * and {@code instance} so a user can quote it and an operator find the request's log lines.
     */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /** The base of the problem {@code type} URIs; what follows is the title's slug. */
    public static final String TYPE_BASE = "https://notify.dev/problems/";

    private Problems() {
    }

    /** Writes a problem unless the response is already committed. */
    public static void write(HttpServletResponse response, int status, String title, String detail) throws IOException {
        write(response, status, title, detail, Map.of());
    }

    /**
     * Writes a problem with extra response headers ({@code Retry-After}, {@code Allow},
     * {@code WWW-Authenticate}) unless the response is already committed; what was buffered is discarded.
     */
    public static void write(HttpServletResponse response, int status, String title, String detail,
                             Map<String, String> headers) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        // an error describes this request only; a cache must not answer the next one with it
        response.setHeader("Cache-Control", "no-store");
        headers.forEach(response::setHeader);
        response.setContentType(MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        byte[] bytes = body(status, title, detail, response.getHeader(REQUEST_ID_HEADER));
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** The UTF-8 body of a problem; {@code detail} may be null. */
    public static byte[] body(int status, String title, String detail) {
        return body(status, title, detail, null);
    }

    /** The UTF-8 body of a problem with the request's id ({@code requestId} and {@code instance}); both may be null. */
    public static byte[] body(int status, String title, String detail, String requestId) {
        StringBuilder out = new StringBuilder(96 + title.length() * 2 + (detail == null ? 4 : detail.length()));
        out.append("{\"type\":");
        string(out, type(title));
        out.append(",\"title\":");
        string(out, title);
        out.append(",\"status\":").append(status).append(",\"detail\":");
        string(out, detail);
        if (requestId != null) {
            out.append(",\"instance\":");
            string(out, "urn:notify:request:" + requestId);
            out.append(",\"requestId\":");
            string(out, requestId);
        }
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code type} URI of a problem with this title: {@code Malformed JSON} -> {@code .../malformed-json}. */
    public static String type(String title) {
        return TYPE_BASE + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** A JSON string literal (RFC 8259 section 7): quote, backslash and control characters escaped. */
    static void string(StringBuilder out, String s) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

}
