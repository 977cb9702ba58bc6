/**
 * The Server-Sent Events channel: {@code GET /api/v1/notifications/stream} (alias
 * {@code /subscribe}) streams a user's live notifications, inbox counts and heartbeats, and
 * replays what a reconnecting client missed from the event log ({@code Last-Event-ID}).
 */
module dev.notify.channel.sse {
    // the exported provider's signatures use the SPI types
    requires transitive dev.notify.api;
    // the fan-out, frame queue and replay-then-live state shared with the other stream channels
    requires dev.notify.stream;
    // the problem+json writer shared with the server and the other HTTP channels
    requires dev.notify.web;
    // only when a host registers the stream servlet (context.web() present); a library host without HTTP runs without it
    requires static jakarta.servlet;

    exports dev.notify.channel.sse;

    provides dev.notify.api.spi.ChannelProvider with dev.notify.channel.sse.SseChannelProvider;
}
