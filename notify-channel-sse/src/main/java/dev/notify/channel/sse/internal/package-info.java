/**
 * The SSE channel's implementation (channel, connections, servlet, frames, settings); not exported.
 * Calls {@code notify-api}, {@code notify-stream} and the Servlet API, never the provider's package or the host.
 */
package dev.notify.channel.sse.internal;
