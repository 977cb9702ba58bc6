package dev.notify.core;

import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.DeliveryLog;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.Metrics;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PreferenceStore;
import dev.notify.api.spi.SubscriberHub;
import dev.notify.api.spi.WebRegistry;
import dev.notify.api.spi.WebhookEndpointStore;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The engine's {@link ChannelContext}: what one channel, created for {@code name}, gets at run time,
 * its own {@code channels.<name>} configuration node included. Owns nothing but that name; hands
 * out the engine's shared services and passes operational events to the sink it is given.
 */
final class EngineChannelContext implements ChannelContext {

    /** Where a channel's operational events go (see {@link OperationalEvents}). */
    @FunctionalInterface
    interface OperationalEventSink {
        void emit(String channel, String event, String message, Map<String, Object> details);
    }

    /** What the contexts of one engine share; made once by the facade. */
    record Shared(Config channelsConfig, JsonCodec json, SubscriberHub hub, EventLog eventLog, Inbox inbox,
                  NotificationStore store, Clock clock, ScheduledExecutorService scheduler, Metrics metrics,
                  Optional<WebRegistry> web, OperationalEventSink events, Optional<PreferenceStore> preferences,
                  SettingHints settings, BringForward bringForward) {
    }

    private final String name;
    private final Config channelConfig;
    private final Shared shared;

    EngineChannelContext(String name, Shared shared) {
        this.name = name;
        this.channelConfig = shared.channelsConfig().node(name);
        this.shared = shared;
    }

    @Override
    public String channelName() {
        return name;
    }

    @Override
    public Config config() {
        return channelConfig;
    }

    @Override
    public JsonCodec json() {
        return shared.json();
    }

    @Override
    public SubscriberHub hub() {
        return shared.hub();
    }

    @Override
    public EventLog eventLog() {
        return shared.eventLog();
    }

    @Override
    public Inbox inbox() {
        return shared.inbox();
    }

    @Override
    public WebhookEndpointStore webhookEndpoints() {
        return shared.store().webhookEndpoints();
    }

    @Override
    public Optional<DeliveryLog> deliveryLog() {
        return Optional.of(shared.store());
    }

    @Override
    public Clock clock() {
        return shared.clock();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return shared.scheduler();
    }

    @Override
    public Metrics metrics() {
        return shared.metrics();
    }

    @Override
    public Optional<PreferenceStore> preferences() {
        return shared.preferences();
    }

    @Override
    public Optional<WebRegistry> web() {
        return shared.web();
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("dev.notify.channel." + name);
    }

    @Override
    public void emitOperationalEvent(String event, String message, Map<String, Object> details) {
        shared.events().emit(name, event, message, details);
    }

    // a channel's settings are hinted under its own name, prefixed so that no channel's kind is the engine's
    // own ("preferences")
    @Override
    public void settingChanged(String id) {
        shared.settings().changed("channel:" + name, id);
    }

    @Override
    public void onSettingChanged(java.util.function.Consumer<String> listener) {
        shared.settings().listen("channel:" + name, listener);
    }

    @Override
    public void deferredDueNow(String target) {
        shared.bringForward().bring(name, java.util.Objects.requireNonNull(target, "target"), Integer.MAX_VALUE);
    }

    @Override
    public void deferredDueNow(String target, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        shared.bringForward().bring(name, java.util.Objects.requireNonNull(target, "target"), limit);
    }

    /** Makes at most {@code limit} deliveries that {@code channel} deferred for {@code target} due now ({@link Integer#MAX_VALUE}: all). */
    @FunctionalInterface
    interface BringForward {
        void bring(String channel, String target, int limit);
    }
}
