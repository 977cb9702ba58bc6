package dev.notify.channel.ws.internal;

import dev.notify.api.Excerpts;
import dev.notify.api.Identity;
import dev.notify.api.InboxStats;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.Subscription;
import dev.notify.api.spi.SubscriptionRequest;
import dev.notify.api.spi.WebRegistry;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code GET /api/v1/notifications/ws} once upgraded: checks the query ({@code after},
 * {@code topics}), subscribes a {@link WsConnection} to the hub and wires the session to it. The
 * host authenticated the upgrade request and put the caller's {@link Identity} in the endpoint
 * config's user properties; without one the socket is closed with 1008.
 *
 * <p>Public only because the container insists on public endpoint classes; it is created by the
 * channel's configurator, never by the container, and its package is not exported.
 */
public final class WsEndpoint extends Endpoint {

    private final WsChannel channel;
    private volatile WsConnection connection;

    WsEndpoint(WsChannel channel) {
        this.channel = channel;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        Object who = config.getUserProperties().get(Identity.REQUEST_ATTRIBUTE);
        if (who == null) {
            who = session.getUserProperties().get(Identity.REQUEST_ATTRIBUTE);
        }
        if (!(who instanceof Identity)) {
            refuse(session, WsConnection.POLICY_VIOLATION, "the connection needs an authenticated user");
            return;
        }
        Identity identity = (Identity) who;
        Object refused = property(config, session, WebRegistry.STREAM_REFUSED_ATTRIBUTE);
        if (refused != null) {
            refuse(session, WsConnection.TRY_AGAIN_LATER, refused.toString());
            return;
        }
        if (channel.isClosed()) {
            refuse(session, WsConnection.TRY_AGAIN_LATER, "the server is shutting down; reconnect shortly");
            return;
        }
        WsSettings settings = channel.settings();
        session.setMaxTextMessageBufferSize(settings.maxFrameBytes());
        session.setMaxBinaryMessageBufferSize(settings.maxFrameBytes());
        // the channel pings silent connections itself; the container's idle timeout is only the backstop
        session.setMaxIdleTimeout(settings.pingInterval().toMillis() + settings.pongTimeout().toMillis() + 5_000);

        Set<String> topics;
        OptionalLong after;
        try {
            Map<String, List<String>> params = session.getRequestParameterMap();
            topics = topicsOf(params.get("topics"));
            after = afterOf(params.get("after"));
        } catch (ClientFrame.BadFrame e) {
            refuse(session, WsConnection.POLICY_VIOLATION, e.getMessage());
            return;
        }
        for (String t : topics) {
            if (!identity.mayRead(t)) {
                refuse(session, WsConnection.POLICY_VIOLATION, "topic '" + t + "' is not granted to this user's token");
                return;
            }
        }

        WsConnection c = channel.newConnection(identity, topics);
        connection = c;
        SessionSink sink = new SessionSink(session, channel);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) c::onText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> c.onBinary());
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> c.heard());
        Subscription subscription;
        try {
            subscription = channel.context().hub().subscribe(new SubscriptionRequest(channel.name(), c.clientId(),
                    identity.userId(), topics), c);
        } catch (SubscriberHub.TooManyConnectionsException e) {
            c.onClosed();
            refuse(session, WsConnection.TRY_AGAIN_LATER, e.getMessage());
            return;
        }
        c.attach(subscription);
        try {
            // subscribed first: whatever is published from here on reaches the connection, held until it is ready
            long logHead = channel.context().eventLog().latestSequence();
            InboxStats stats = channel.context().inbox().stats(identity.userId());
            c.start(sink, stats, after, logHead);
            if (property(config, session, Identity.EXPIRES_AT_ATTRIBUTE) instanceof Instant expiresAt) {
                c.endWhenCredentialExpires(expiresAt);
            }
        } catch (RuntimeException e) {
            channel.context().logger().log(System.Logger.Level.WARNING, "cannot open WebSocket for user " + identity.userId(), e);
            c.onClosed();
            refuse(session, 1011, "the connection could not be opened");
        }
    }

    private static Object property(EndpointConfig config, Session session, String key) {
        Object v = config.getUserProperties().get(key);
        return v != null ? v : session.getUserProperties().get(key);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        WsConnection c = connection;
        if (c != null) {
            c.onClosed();
        }
    }

    @Override
    public void onError(Session session, Throwable t) {
        channel.context().logger().log(System.Logger.Level.DEBUG, () -> "WebSocket error: " + t);
        WsConnection c = connection;
        if (c != null && !session.isOpen()) {
            c.onClosed();
        }
    }

    // an error frame first, so the reason also reaches clients that do not show close reasons
    private void refuse(Session session, int code, String reason) {
        try {
            session.getBasicRemote().sendText(channel.frames().error(reason, null, null, channel.context().clock().instant()));
        } catch (IOException | RuntimeException e) {
            // the close below still tells the client
        }
        SessionSink.closeQuietly(session, code, reason);
    }

    private Set<String> topicsOf(List<String> values) {
        if (values == null || values.isEmpty()) {
            return Set.of();
        }
        java.util.List<Object> all = new java.util.ArrayList<>();
        for (String v : values) {
            for (String t : v.split(",", -1)) {
                if (!t.isBlank()) {
                    all.add(t.trim());
                }
            }
        }
        if (all.isEmpty()) {
            return Set.of();
        }
        return ClientFrame.Parse.topics(Map.of("topics", all), "query", null, channel.settings().maxTopics());
    }

    private static OptionalLong afterOf(List<String> values) {
        if (values == null || values.isEmpty() || values.get(0).isBlank()) {
            return OptionalLong.empty();
        }
        String v = values.get(0).trim();
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new ClientFrame.BadFrame("?after must not be negative, got " + n, null, null);
            }
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new ClientFrame.BadFrame("?after='" + Excerpts.of(v, 64) + "' is not an event id (a whole number)", null, null);
        }
    }

    /** A {@link WsConnection.Sink} over a Jakarta session's asynchronous remote. */
    static final class SessionSink implements WsConnection.Sink {
        private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

        private final Session session;
        private final WsChannel channel;

        SessionSink(Session session, WsChannel channel) {
            this.session = session;
            this.channel = channel;
        }

        @Override
        public void send(String text, Consumer<Throwable> done) {
            session.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
        }

        @Override
        public void ping() {
            try {
                session.getAsyncRemote().sendPing(EMPTY.duplicate());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close(int code, String reason) {
            try {
                channel.execute(() -> closeQuietly(session, code, reason));
            } catch (RuntimeException e) {
                // the channel's threads are gone (shutting down): close here
                closeQuietly(session, code, reason);
            }
        }

        @Override
        public void execute(Runnable task) {
            channel.execute(task);
        }

        static void closeQuietly(Session session, int code, String reason) {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
            } catch (IOException | RuntimeException e) {
                // already closed or the connection is gone
            }
        }

        // a close reason is at most 123 bytes of UTF-8
        static String truncate(String reason) {
            byte[] b = reason.getBytes(StandardCharsets.UTF_8);
            if (b.length <= 123) {
                return reason;
            }
            String s = reason;
            while (s.getBytes(StandardCharsets.UTF_8).length > 120) {
                s = s.substring(0, s.length() - 1);
            }
            return s + "...";
        }
    }
}
