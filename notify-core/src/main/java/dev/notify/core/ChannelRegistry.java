package dev.notify.core;

import dev.notify.api.spi.AsyncChannel;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.ChannelProvider;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.Metrics;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registered channels, each in its {@link ChannelSlot} with its concurrency limit
 * ({@code channels.<name>.max-concurrency}: attempts in flight at once; for a blocking channel also
 * its threads, default one less than the workers; for an {@link AsyncChannel}, whose attempts hold
 * no thread, default the node's {@code delivery.max-in-flight}) and its allowance of replaced stuck
 * threads ({@code channels.<name>.max-stuck-threads}, default its {@code max-concurrency}). Owns registration
 * and its validation and closing the channels; calls the providers, the channels' {@code name}/
 * {@code kind}/{@code close}, and the meter registry. The other parts look channels up here.
 */
final class ChannelRegistry {

    private static final System.Logger LOG = System.getLogger(ChannelRegistry.class.getName());

    private final Config channelsConfig;
    private final int defaultLimit;
    private final int maxInFlight;
    private final MeterRegistry meterRegistry;
    private final Metrics metrics;
    private final Map<String, ChannelSlot> channels = new ConcurrentHashMap<>();
    // the values of `channels`, for publishes to every channel without iterating the map each time
    private volatile List<ChannelSlot> allSlots = List.of();
    // set once a stream channel is registered; until then the stream tailer has nobody to hand entries to
    private volatile boolean streamChannels;
    // the engine's own channel (HeldLiveEvents): claimed and run like the others, not listed (no publish can name it)
    private volatile String internal;

    ChannelRegistry(Config channelsConfig, int workers, int maxInFlight, MeterRegistry meterRegistry, Metrics metrics) {
        this.channelsConfig = channelsConfig;
        this.defaultLimit = Math.max(1, workers - 1);
        this.maxInFlight = maxInFlight;
        this.meterRegistry = meterRegistry;
        this.metrics = metrics;
    }

    /**
     * Creates a channel from its provider with the context {@code contexts} makes for its name, and registers it.
     *
     * @throws IllegalArgumentException when a channel of that name is registered already, or the provider is invalid
     */
    Channel register(ChannelProvider provider, Function<String, ChannelContext> contexts) {
        if (provider == null) {
            throw new IllegalArgumentException("provider must not be null");
        }
        String problem = ChannelDiscovery.validate(provider, Map.of());
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (channels.containsKey(provider.name())) {
            throw new IllegalArgumentException("a channel named '" + provider.name() + "' is registered already");
        }
        Channel c = provider.create(contexts.apply(provider.name()));
        if (c == null || !provider.name().equals(c.name())) {
            if (c != null) {
                c.close();
            }
            throw new IllegalArgumentException("channel plugin '" + provider.name() + "' created "
                    + (c == null ? "no channel" : "a channel named '" + c.name() + "'"));
        }
        register(c, provider.version());
        return c;
    }

    /**
     * Registers a channel; {@code version} is only logged.
     *
     * @throws IllegalArgumentException when a channel of that name is registered already
     */
    void register(Channel c, String version) {
        if (c == null) {
            throw new IllegalArgumentException("channel must not be null");
        }
        if (c.kind() == null) {
            throw new IllegalArgumentException("channel '" + c.name() + "' has no kind");
        }
        Config own = channelsConfig.node(c.name());
        int limit = own.getInt("max-concurrency", c instanceof AsyncChannel ? maxInFlight : defaultLimit);
        ChannelSlot slot = new ChannelSlot(c, limit, own.asMap().containsKey("max-concurrency"),
                own.getInt("max-stuck-threads", limit), meterRegistry);
        if (channels.putIfAbsent(c.name(), slot) != null) {
            throw new IllegalArgumentException("a channel named '" + c.name() + "' is registered already");
        }
        synchronized (channels) {
            allSlots = List.copyOf(channels.values());
        }
        metrics.gauge("notify.deliveries.queued", slot.queued::get, "channel", c.name());
        if (c.kind() == ChannelKind.PUSH) {
            metrics.gauge("notify.deliveries.in.flight", slot::inFlight, "channel", c.name());
            if (slot.threads() != null) {
                metrics.gauge("notify.channel.threads.stuck", slot::stuck, "channel", c.name());
            }
        }
        if (c.kind() == ChannelKind.STREAM) {
            streamChannels = true;
        }
        LOG.log(System.Logger.Level.INFO, "channel " + c.name() + " (" + c.kind().name().toLowerCase(Locale.ROOT)
                + (c.kind() == ChannelKind.STREAM ? "" : slot.async ? ", asynchronous" : ", blocking on its own threads")
                + ", " + version + ") registered");
    }

    /** Registers the engine's own channel: run like the others, but not among the {@link #names()}. */
    void registerInternal(Channel c) {
        internal = c.name();
        register(c, "engine");
    }

    /** The slot of the channel of that name, or null. */
    ChannelSlot slot(String name) {
        return name == null ? null : channels.get(name);
    }

    /** Every slot, in no particular order; an immutable snapshot. */
    List<ChannelSlot> allSlots() {
        return allSlots;
    }

    boolean hasStreamChannels() {
        return streamChannels;
    }

    /** The names, sorted. */
    Set<String> names() {
        TreeSet<String> names = new TreeSet<>(channels.keySet());
        String own = internal;
        if (own != null) {
            names.remove(own);
        }
        return names;
    }

    /** Closes every channel; one that fails to close is logged and the others still close. */
    void closeAll() {
        for (ChannelSlot s : channels.values()) {
            try {
                s.channel.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "channel " + s.channel.name() + " failed to close", e);
            }
            s.stopThreads();
        }
    }
}
