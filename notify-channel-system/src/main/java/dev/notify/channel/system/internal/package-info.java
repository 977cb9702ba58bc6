/** The system channel's implementation: not exported. */
package dev.notify.channel.system.internal;
