package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelProvider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The provider of {@link RecordingChannel}s, named {@value #NAME}.
 *
 * <p>Deliberately <em>not</em> registered for {@link java.util.ServiceLoader} by the test kit:
 * every project that tests with the kit would otherwise find a {@code recording} channel in its
 * engine. To have a host discover it, list it in your own test resources, in
 * {@code src/test/resources/META-INF/services/dev.notify.api.spi.ChannelProvider}:
 * <pre>
 * dev.notify.testkit.RecordingChannelProvider
 * </pre>
 * then find the channels the host created with {@link #created()} on the instance you pass, or
 * through the engine's own channel lookup.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class RecordingChannelProvider implements ChannelProvider {

    /** The channel name. */
    public static final String NAME = "recording";

    private final List<RecordingChannel> created = new CopyOnWriteArrayList<>();

    /** A provider; public and without arguments, as {@link java.util.ServiceLoader} requires. */
    public RecordingChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Channel create(ChannelContext context) {
        RecordingChannel channel = new RecordingChannel(NAME);
        created.add(channel);
        return channel;
    }

    /** The channels this provider instance created, oldest first. */
    public List<RecordingChannel> created() {
        return List.copyOf(created);
    }
}
