/**
 * The WebSocket channel's implementation (channel, connections, client frames, endpoint, settings); not exported.
 * Calls {@code notify-api}, {@code notify-stream} and the Jakarta WebSocket API, never the provider's package or the host.
 */
package dev.notify.channel.ws.internal;
