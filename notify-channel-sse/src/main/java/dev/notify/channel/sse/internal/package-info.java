/** The SSE channel's implementation; not exported. */
package dev.notify.channel.sse.internal;
