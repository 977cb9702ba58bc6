/**
 * The polling channel: {@code GET /api/v1/notifications/poll?after=SEQ&wait=SECONDS} answers a
 * user's events after a sequence, and with {@code wait} holds the request (without a thread)
 * until one arrives.
 */
module dev.notify.channel.poll {
    // the exported provider's signatures use the SPI types
    requires transitive dev.notify.api;
    // the problem+json writer shared with the server and the other HTTP channels
    requires dev.notify.web;
    // only when a host registers the poll servlet (context.web() present); a library host without HTTP runs without it
    requires static jakarta.servlet;

    exports dev.notify.channel.poll;

    provides dev.notify.api.spi.ChannelProvider with dev.notify.channel.poll.PollChannelProvider;
}
