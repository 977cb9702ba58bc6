/** The polling channel's implementation; not exported. */
package dev.notify.channel.poll.internal;
