/**
 * The webhook channel's provider and its signature scheme ({@code WebhookSignatures}, which
 * receivers may reuse); the provider hands names and paths to {@code internal}.
 */
package dev.notify.channel.webhook;
