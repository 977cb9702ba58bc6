package dev.notify.server.internal;

import java.util.Map;

/**
 * A request the API refuses, answered as {@code application/problem+json}. The detail says what
 * was wrong in terms of the request (field names, accepted values), never an internal class name.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;
    private final transient Map<String, String> headers;

    /** A refusal with a status, a short title and a detail. */
    public ApiException(int status, String title, String detail) {
        this(status, title, detail, Map.of());
    }

    /** A refusal with extra response headers (such as {@code Retry-After}). */
    public ApiException(int status, String title, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    /** 400 Bad Request. */
    public static ApiException badRequest(String detail) {
        return new ApiException(400, "Bad Request", detail);
    }

    /** 404 Not Found. */
    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not Found", detail);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The problem title. */
    public String title() {
        return title;
    }

    /** Extra headers of the response. */
    public Map<String, String> headers() {
        return headers;
    }
}
