/**
 * Notify's domain types: Notification and its builder, audiences, inbox items, delivery records, the topic grammar.
 * Depends on nothing but java.base; the SPI that hosts and plugins implement is in dev.notify.api.spi.
 */
package dev.notify.api;
