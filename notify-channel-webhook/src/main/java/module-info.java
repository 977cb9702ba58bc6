/**
 * The webhook channel: signed POSTs to registered endpoints, with an SSRF check of every address
 * at registration and at every connection, and the endpoint registry API at {@code /api/v1/webhooks}.
 */
module dev.notify.channel.webhook {
    requires dev.notify.api;
    // the problem+json writer shared with the server and the other HTTP channels
    requires dev.notify.web;
    // Jetty's HTTP client (a client library, not Jetty's server): the non-blocking POSTs
    requires org.eclipse.jetty.client;
    // only when a host registers the endpoint API (context.web() present); a library host without HTTP runs without it
    requires static jakarta.servlet;

    exports dev.notify.channel.webhook;

    provides dev.notify.api.spi.ChannelProvider with dev.notify.channel.webhook.WebhookChannelProvider;
}
