/**
 * The store's areas (Publisher, Deliveries, EventLogTable, Inboxes, WebhookEndpoints), the group committer and H2 durability.
 * It may call notify-api, JDBC and HikariCP; nothing outside the store calls it (the package is not exported).
 */
package dev.notify.store.jdbc.internal;
