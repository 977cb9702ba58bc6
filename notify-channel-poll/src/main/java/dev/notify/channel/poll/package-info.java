/**
 * The polling channel's provider, the only exported type; it names the channel's path and hands
 * it to {@code internal}, which never calls back here.
 */
package dev.notify.channel.poll;
