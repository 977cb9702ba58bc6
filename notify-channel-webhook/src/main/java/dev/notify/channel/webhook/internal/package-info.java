/** The webhook channel's implementation: not exported. */
package dev.notify.channel.webhook.internal;
