package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a channel needs at run time, implemented by the engine. A plugin needs nothing
 * but this interface and {@code notify-api}.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface ChannelContext {

    /**
     * The topic on which the host publishes the operational events channels
     * {@linkplain #emitOperationalEvent(String, String, Map) emit}; a client granted it sees them live.
     *
     * @since 0.2
     */
    String OPS_TOPIC = "notify:ops";

    /**
     * The name the channel was created for: its provider's {@link ChannelProvider#name()}. A channel
     * reads its own name here instead of from its provider's constants, so its implementation needs
     * nothing from the provider class.
     *
     * @since 0.3
     */
    String channelName();

    /** The channel's own configuration node ({@code channels.<name>.*}, keys relative to it). */
    Config config();

    /** The JSON codec the host uses. */
    JsonCodec json();

    /** The registry of live subscribers that stream channels fan out to. */
    SubscriberHub hub();

    /** The event log, for replaying what a reconnecting client missed. */
    EventLog eventLog();

    /** Users' inboxes: counts, recent unread, marking read; changes are pushed as stats to every stream. */
    Inbox inbox();

    /** The webhook endpoint registry, for channels that deliver to registered endpoints. */
    WebhookEndpointStore webhookEndpoints();

    /**
     * Stored deliveries and attempts, for a channel that shows its own delivery log. Empty when the
     * host keeps none to show (the default, so hosts written before it stay valid).
     *
     * @since 0.1 (added with the webhook channel)
     */
    default Optional<DeliveryLog> deliveryLog() {
        return Optional.empty();
    }

    /**
     * The users' preferences, for a channel that lets a connected user read and change theirs (the
     * WebSocket {@code preferences} frame). Empty when the host applies none (the default).
     *
     * @since 0.4
     */
    default Optional<PreferenceStore> preferences() {
        return Optional.empty();
    }

    /** The host's clock; use it instead of {@link System#currentTimeMillis()} so tests can move time. */
    Clock clock();

    /** A shared scheduler for timers (heartbeats, timeouts). Tasks must be short; do not block it. */
    ScheduledExecutorService scheduler();

    /** Metrics the host exports. */
    Metrics metrics();

    /** The HTTP routes a channel may contribute; present only when an HTTP server hosts the engine. */
    Optional<WebRegistry> web();

    /** A logger named after the channel. */
    System.Logger logger();

    /**
     * Reports something operators should know about, such as an endpoint the channel disabled by
     * itself. The engine logs it as a warning, counts it ({@code notify.ops.events{event}}) and
     * publishes it as a {@code warning} notification on {@link #OPS_TOPIC} with this event name,
     * the message as its title and the details as its data, through the stream channels only (so
     * that, say, a webhook outage never sends webhooks about itself). It never throws: a
     * report that cannot be published is logged. The default only logs, so hosts written before
     * this method stay valid.
     *
     * @param event   a dotted event name, e.g. {@code webhook.endpoint.disabled}
     * @param message one human-readable sentence
     * @param details JSON-like values (strings, numbers, booleans, lists, maps)
     * @since 0.2
     */
    default void emitOperationalEvent(String event, String message, Map<String, Object> details) {
        logger().log(System.Logger.Level.WARNING, event + ": " + message);
    }

    /**
     * Tells the other nodes sharing the store that a setting this channel keeps there changed (a
     * webhook endpoint updated, say), so that their copies of this channel drop what they cached of
     * it: they hear {@code id} through {@link #onSettingChanged}. A hint sent through the cluster
     * signal: it never blocks and may be lost (then the other nodes hear {@code "*"}, or their
     * caches expire). The default tells nobody (one node, or a host without cluster signals).
     *
     * @param id what changed, in this channel's terms (an endpoint id); short, no body
     * @since 0.4
     */
    default void settingChanged(String id) {
    }

    /**
     * Calls {@code listener} when another node said a setting of this channel changed
     * ({@link #settingChanged} there), with that id, or with {@code "*"} when hints may have been lost
     * and everything cached should be dropped. It runs on a host thread: keep it short (forget a
     * cache entry; read the store again later, not here). The default never calls it.
     *
     * @since 0.4
     */
    default void onSettingChanged(java.util.function.Consumer<String> listener) {
    }

    /**
     * The deliveries of this channel that were {@linkplain dev.notify.api.DeliveryResult#deferred
     * deferred} for {@code target} may be attempted now: the target that was saturated answers
     * again. The host makes them due at once ({@link NotificationStore#bringForward}) and claims
     * them; retries after failed attempts and scheduled deliveries keep their times. Costs one
     * store write for the whole backlog, so call it on a change of the target's state, not per
     * delivery. The default does nothing (a host without it: the deferred deliveries come back at
     * their own times).
     *
     * @param target the target the deliveries were deferred for (a webhook endpoint id)
     * @since 0.4
     */
    default void deferredDueNow(String target) {
    }

    /**
     * {@link #deferredDueNow(String)} for at most {@code limit} of the deliveries deferred for
     * {@code target}, those deferred to the soonest times first
     * ({@link NotificationStore#bringForward(String, String, java.time.Instant, int)}). A channel
     * calls it when its target has free places and nothing waiting while deliveries it deferred
     * earlier, on a slower pace than the target keeps now, wait for later times: it pulls what the
     * target can take next. One store write per call: call it when places free up, not per
     * delivery. The default does nothing.
     *
     * @param target the target the deliveries were deferred for (a webhook endpoint id)
     * @param limit the most deliveries to make due
     * @since 0.6
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.6")
    default void deferredDueNow(String target, int limit) {
    }
}
