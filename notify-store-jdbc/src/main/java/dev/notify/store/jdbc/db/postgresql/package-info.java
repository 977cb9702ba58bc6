/**
 * Flyway migration scripts (postgresql). This source file exists so that the package, which only holds
 * resources, can be opened to Flyway in {@code module-info.java}.
 */
package dev.notify.store.jdbc.db.postgresql;
