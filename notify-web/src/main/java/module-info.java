/**
 * HTTP helpers that the server and the HTTP channels share, so each answers the same way: the
 * RFC 9457 {@code application/problem+json} writer, and the token-bucket rate limiter behind the
 * server's 429s and the webhook channel's per-endpoint rate. Depends on notify-api and the Servlet API
 * only, so a third-party HTTP channel may use it as the bundled ones do.
 */
module dev.notify.web {
    // this module's types sit next to notify-api's in the channels that use it
    requires transitive dev.notify.api;
    // the host (a servlet container) supplies it; only the writer's callers, which serve HTTP, load it
    requires static jakarta.servlet;

    exports dev.notify.web;
}
