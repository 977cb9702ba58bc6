/**
 * The plugin SPI: {@link dev.notify.api.spi.ChannelProvider} and {@link dev.notify.api.spi.Channel}
 * for channels, {@link dev.notify.api.spi.NotificationStore} for stores, and the
 * {@link dev.notify.api.spi.ChannelContext} through which a channel reaches everything it needs
 * at run time (configuration, JSON, the live-subscriber hub, the event log, the inbox, a clock,
 * a scheduler, metrics and, when hosted by the server, HTTP routes).
 */
package dev.notify.api.spi;
