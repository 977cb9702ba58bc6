/**
 * The in-memory {@link dev.notify.api.spi.NotificationStore}: the public facade {@link InMemoryNotificationStore} over its package-private areas (Publisher, Deliveries, EventLogTable, Inboxes, WebhookEndpoints) and their compact tables.
 * It may call {@code notify-api} and the JDK only, never the engine in {@code dev.notify.core}; areas call each other only as their class comments say.
 */
package dev.notify.core.memory;
