package dev.notify.channel.sse;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.channel.sse.internal.SseChannel;
import dev.notify.channel.sse.internal.SseSettings;

import java.util.List;

/**
 * Provides the {@code sse} stream channel. When the host serves HTTP it registers the stream at
 * {@value #STREAM_PATH} and {@value #SUBSCRIBE_PATH}.
 *
 * <p>Configuration ({@code channels.sse.*}):
 * <ul>
 *   <li>{@code heartbeat-interval} (30s): how often an idle stream gets a {@code : heartbeat} comment;</li>
 *   <li>{@code retry} (3s): the reconnect delay sent to clients as {@code retry:};</li>
 *   <li>{@code max-buffered-events} (1024) and {@code max-buffered-bytes} (1048576): the most a
 *       connection may hold unwritten; a reader that falls further behind is disconnected and
 *       resumes from the event log with {@code Last-Event-ID};</li>
 *   <li>{@code recent-limit} (10): unread notifications sent as {@code recent} on connect;</li>
 *   <li>{@code replay-page-size} (200): event-log entries read per step of a replay;</li>
 *   <li>{@code max-topics} (64): topics one connection may subscribe to.</li>
 * </ul>
 */
public final class SseChannelProvider implements ChannelProvider {

    /** The channel name. */
    public static final String NAME = "sse";
    /** The stream's path. */
    public static final String STREAM_PATH = "/api/v1/notifications/stream";
    /** The stream's alias path. */
    public static final String SUBSCRIBE_PATH = "/api/v1/notifications/subscribe";

    /** Needed by {@link java.util.ServiceLoader}. */
    public SseChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new SseChannel(context, SseSettings.from(context.config()), List.of(STREAM_PATH, SUBSCRIBE_PATH));
    }
}
