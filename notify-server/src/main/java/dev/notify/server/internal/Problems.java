package dev.notify.server.internal;

import dev.notify.api.spi.JsonCodec;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes RFC 9457 problem details: {@code {"type","title","status","detail"}} as
 * {@code application/problem+json}, plus the request's id as {@code requestId} and {@code instance}.
 */
public final class Problems {

    /** The media type of problem details. */
    public static final String MEDIA_TYPE = "application/problem+json";
    /** The base of the problem {@code type} URIs; the fragment is the status' slug. */
    public static final String TYPE_BASE = "https://notify.dev/problems/";

    private Problems() {
    }

    /** Writes a problem unless the response is already committed. */
    public static void write(HttpServletResponse response, JsonCodec json, ApiException e) throws IOException {
        write(response, json, e.status(), e.title(), e.getMessage(), e.headers());
    }

    /** Writes a problem unless the response is already committed. */
    public static void write(HttpServletResponse response, JsonCodec json, int status, String title, String detail,
                             Map<String, String> headers) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        headers.forEach(response::setHeader);
        response.setContentType(MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + slug(title));
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        // the id RequestIds gave the request, also in the response header and the server's log lines;
        // an error dispatch (404, 405) starts from a reset response, so the header is put back from the MDC
        String requestId = response.getHeader(RequestIds.HEADER);
        if (requestId == null) {
            requestId = MDC.get(RequestIds.KEY);
            if (requestId != null) {
                response.setHeader(RequestIds.HEADER, requestId);
            }
        }
        if (requestId != null) {
            body.put("instance", "urn:notify:request:" + requestId);
            body.put("requestId", requestId);
        }
        byte[] bytes = json.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static String slug(String title) {
        return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
