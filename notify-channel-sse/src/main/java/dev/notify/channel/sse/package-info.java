/**
 * The SSE channel's provider, the one exported type: names the channel and its paths and creates it from its configuration.
 * Calls {@code notify-api} and this module's {@code internal} package, never the other way round.
 */
package dev.notify.channel.sse;
