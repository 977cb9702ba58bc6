/**
 * The WebSocket channel's provider, the one exported type: names the channel and its path and creates it from its configuration.
 * Calls {@code notify-api} and this module's {@code internal} package, never the other way round.
 */
package dev.notify.channel.ws;
