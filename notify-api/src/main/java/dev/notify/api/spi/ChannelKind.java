package dev.notify.api.spi;

import dev.notify.api.Api;

/** How a channel delivers, which decides what the engine stores for it. */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum ChannelKind {
    /**
     * Pushes to live subscribers through the {@link SubscriberHub} (SSE, WebSocket, polling).
     * No delivery rows are stored: the event log is the durable record and clients that were
     * away resume from it. The engine calls {@link Channel#deliver} once per notification with
     * target {@link Delivery#STREAM_TARGET}, and the channel fans out.
     */
    STREAM,
    /**
     * Pushes to an external system per target (webhook, e-mail, OS notification). One delivery
     * row per target is stored with the notification; failures are retried with backoff and
     * end as dead letters.
     */
    PUSH
}
