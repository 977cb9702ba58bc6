package dev.notify.api.spi;

import dev.notify.api.Api;

import java.util.Set;

/**
 * HTTP routes a channel contributes to the hosting server, without knowing the server.
 * The handler types are Jakarta APIs, so {@code notify-api} depends on neither Jakarta nor Jetty:
 *
 * <ul>
 *   <li>{@code jakarta.servlet.Servlet}: a servlet mapped at the path spec
 *       ({@code /api/v1/notifications/stream}); requests below {@code /api/} are authenticated by
 *       the server first and carry the caller's {@link dev.notify.api.Identity} as request
 *       attribute {@link dev.notify.api.Identity#REQUEST_ATTRIBUTE}. Async support is enabled.</li>
 *   <li>{@code jakarta.websocket.server.ServerEndpointConfig}: a WebSocket endpoint at its own path;
 *       the handshake is authenticated the same way and the identity is put in the endpoint
 *       config's user properties under the same key.</li>
 * </ul>
 *
 * <pre>{@code
 * context.web().ifPresent(web ->
 *         web.register("/api/v1/notifications/stream", jakarta.servlet.Servlet.class, new SseServlet(...)));
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public interface WebRegistry {

    /**
     * A request attribute (and, for a WebSocket, a user property of the endpoint config) holding a
     * one-sentence reason when the host asks the endpoint to refuse a new stream for now (the
     * server is at its connection limit). An HTTP stream is refused by the host itself with 503; a
     * WebSocket upgrade is let through with this attribute so the endpoint can close the socket
     * with 1013 (try again later) and the reason, which a browser's {@code WebSocket} shows while
     * a failed handshake would show nothing.
     *
     * @since 0.3
     */
    String STREAM_REFUSED_ATTRIBUTE = "dev.notify.web.stream-refused";

    /** The handler types this host accepts, by class name. */
    Set<String> supportedTypes();

    /**
     * Registers a handler.
     *
     * @param pathSpec a servlet path spec, such as {@code /api/v1/notifications/stream} or {@code /hooks/*}
     * @param type the handler's type, one of {@link #supportedTypes()}
     * @param handler the handler
     * @throws IllegalArgumentException when the type is not supported or the path is taken
     */
    <T> void register(String pathSpec, Class<T> type, T handler);
}
