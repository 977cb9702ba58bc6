/**
 * The plugin SPI: {@link dev.notify.api.spi.ChannelProvider} and {@link dev.notify.api.spi.Channel}
 * for channels, {@link dev.notify.api.spi.NotificationStore} for stores, and the
 * {@link dev.notify.api.spi.ChannelContext} through which a channel reaches everything it needs
 * at run time (configuration, JSON, the live-subscriber hub, the event log, the inbox, a clock,
 * a scheduler, metrics and, when hosted by the server, HTTP routes).
 *
 * <h2>Which push channel to write</h2>
 * <ul>
 *   <li>{@link dev.notify.api.spi.Channel} alone, a <em>blocking</em> channel: {@code deliver}
 *       makes the attempt and returns its result. The engine runs it on the channel's own bounded
 *       threads ({@code channels.<name>.max-concurrency}), interrupts an attempt at its deadline
 *       and replaces a thread that does not come back, up to a cap; a plugin that hangs delays only
 *       its own deliveries. Choose it for simple plugins, blocking client libraries and quick local
 *       work: it is the easiest to get right.</li>
 *   <li>{@link dev.notify.api.spi.AsyncChannel}: {@code deliverAsync} starts the attempt and
 *       returns a stage the engine records when it completes (or times out). An attempt in flight
 *       holds no thread. Choose it when the channel does network I/O through a non-blocking client
 *       and may have many slow receivers at once (webhooks, brokers).</li>
 * </ul>
 * Either way the engine claims the delivery, dispatches it, and records the result (sent, retry
 * with backoff, deferred, failed for good) under the same lease, fencing and attempt log.
 */
package dev.notify.api.spi;
