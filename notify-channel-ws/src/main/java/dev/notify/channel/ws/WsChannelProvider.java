package dev.notify.channel.ws;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.channel.ws.internal.WsChannel;
import dev.notify.channel.ws.internal.WsSettings;

/**
 * Provides the {@code ws} stream channel. When the host serves HTTP it registers a Jakarta
 * WebSocket endpoint at {@value #PATH}.
 *
 * <p>Configuration ({@code channels.ws.*}):
 * <ul>
 *   <li>{@code max-frame-bytes} (65536): the largest client message; a larger one closes the
 *       connection with 1009 (message too big);</li>
 *   <li>{@code max-buffered-events} (1024) and {@code max-buffered-bytes} (1048576): the most a
 *       connection may hold unsent; a client that falls further behind is closed with 1013 and
 *       resumes from the event log;</li>
 *   <li>{@code ping-interval} (30s) and {@code pong-timeout} (10s): a connection silent for a
 *       ping interval gets a ping; one that does not answer within the timeout is closed;</li>
 *   <li>{@code replay-page-size} (200): event-log entries read per step of a replay;</li>
 *   <li>{@code max-topics} (64): topics one connection may subscribe to;</li>
 *   <li>{@code resume-ttl} (5m) and {@code resume-ledger-size} (10000): how long, and for how many
 *       closed connections, the last acknowledged id is kept for a {@code resume} by
 *       {@code client_id}.</li>
 * </ul>
 */
public final class WsChannelProvider implements ChannelProvider {

    /** The channel name. */
    public static final String NAME = "ws";
    /** The endpoint's path. */
    public static final String PATH = "/api/v1/notifications/ws";

    /** Needed by {@link java.util.ServiceLoader}. */
    public WsChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new WsChannel(context, WsSettings.from(context.config()), PATH);
    }
}
