package dev.notify.channel.poll;

import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.channel.poll.internal.PollChannel;
import dev.notify.channel.poll.internal.PollSettings;

/**
 * Provides the {@code poll} stream channel. When the host serves HTTP it registers
 * {@value #POLL_PATH}:
 *
 * <pre>
 * GET /api/v1/notifications/poll?after=1041&amp;wait=30&amp;topics=task:abc123
 * 200 {"events":[{"id":1042,"event":"task.progress","notification_id":"...","data":{...},...}],"last_seq":1042}
 * </pre>
 *
 * <ul>
 *   <li>{@code after} (default 0, the start of the retained log): answer the events with a
 *       larger sequence; pass the previous answer's {@code last_seq} to continue.</li>
 *   <li>{@code wait} (default 0): seconds to hold the request open when nothing is there yet;
 *       it answers as soon as a matching event arrives, else with no events when the time is up.</li>
 *   <li>{@code limit} (default 100): the most events in one answer.</li>
 *   <li>{@code topics}: comma-separated topics or {@code prefix*} patterns, within the token's grants.</li>
 * </ul>
 * An answer carries {@code "pruned":true} when retention already removed events after {@code after}.
 *
 * <p>Configuration ({@code channels.poll.*}): {@code max-wait} (60s), {@code default-limit}
 * (100), {@code max-limit} (1000), {@code max-topics} (64).
 */
public final class PollChannelProvider implements ChannelProvider {

    /** The channel name. */
    public static final String NAME = "poll";
    /** The poll path. */
    public static final String POLL_PATH = "/api/v1/notifications/poll";

    /** Needed by {@link java.util.ServiceLoader}. */
    public PollChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        return new PollChannel(context, PollSettings.from(context.config()), POLL_PATH);
    }
}
