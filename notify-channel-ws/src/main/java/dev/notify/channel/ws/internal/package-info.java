/** The WebSocket channel's implementation; not exported. */
package dev.notify.channel.ws.internal;
