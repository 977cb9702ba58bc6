package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a channel needs at run time, implemented by the engine. A plugin needs nothing
 * but this interface and {@code notify-api}.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface ChannelContext {

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
}
