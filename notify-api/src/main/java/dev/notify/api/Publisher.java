package dev.notify.api;

import java.util.Objects;

/**
 * An authenticated publisher (a caller with the API key) of an HTTP request. The server sets it as
 * request attribute {@link #REQUEST_ATTRIBUTE} on every request it authenticated with the API key,
 * so servlet-based channels that contribute publisher endpoints (the webhook endpoint registry,
 * for example) can check the caller without knowing the server.
 *
 * <pre>{@code
 * if (!(request.getAttribute(Publisher.REQUEST_ATTRIBUTE) instanceof Publisher publisher)) {
 *     response.sendError(403);
 *     return;
 * }
 * }</pre>
 *
 * @param keyId a stable, non-secret id of the API key (never the key itself)
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public record Publisher(String keyId) {

    /** The request attribute under which the server stores the calling {@code Publisher}. */
    public static final String REQUEST_ATTRIBUTE = "dev.notify.publisher";

    /** Validates the key id. */
    public Publisher {
        Objects.requireNonNull(keyId, "keyId");
    }
}
