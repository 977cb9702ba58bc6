package dev.notify.api.spi;

import dev.notify.api.Api;

/** Malformed JSON, or JSON that does not fit the requested type. */
@Api(status = Api.Status.STABLE, since = "0.1")
public class JsonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An error with a message and a cause. */
    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error with a message. */
    public JsonException(String message) {
        super(message);
    }
}
