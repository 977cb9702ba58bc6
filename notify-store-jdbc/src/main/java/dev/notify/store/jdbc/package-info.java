/**
 * The durable NotificationStore over JDBC (H2 embedded, PostgreSQL): JdbcNotificationStore, its configuration and redaction of URLs.
 * It may call notify-api, HikariCP, Flyway and the JDBC drivers; its areas live in the internal package.
 */
package dev.notify.store.jdbc;
