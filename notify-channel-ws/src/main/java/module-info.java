/**
 * The WebSocket channel: {@code GET /api/v1/notifications/ws} upgrades an authenticated request
 * to a WebSocket that carries a user's live notifications as one JSON envelope per text frame,
 * takes {@code subscribe}, {@code unsubscribe}, {@code ack}, {@code resume}, {@code mark_read} and
 * {@code ping} frames from the client, and replays from the event log what a reconnecting client
 * missed.
 */
module dev.notify.channel.ws {
    // the exported provider's signatures use the SPI types
    requires transitive dev.notify.api;
    // the fan-out, frame queue and replay-then-live state shared with the other stream channels
    requires dev.notify.stream;
    // only when a host registers the endpoint (context.web() present); a library host without HTTP runs without it
    requires static jakarta.websocket;

    exports dev.notify.channel.ws;

    provides dev.notify.api.spi.ChannelProvider with dev.notify.channel.ws.WsChannelProvider;
}
