/**
 * What Notify's stream channels share, for third-party stream channels too: the live fan-out of
 * event-log entries to a channel's connections (one encoding per broadcast, writes spread over a
 * writer pool), the set of live connections, a bounded per-connection frame queue and the
 * replay-then-live state of a connection. Depends on {@code notify-api} alone.
 */
module dev.notify.stream {
    // the exported types' signatures use the SPI types (ChannelContext, EventLogEntry, Subscription)
    requires transitive dev.notify.api;

    exports dev.notify.stream;
}
