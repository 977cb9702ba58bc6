/**
 * The server's public face: {@code Main}, {@code NotifyServer} and its {@code ServerSettings};
 * everything else is in {@code internal}, which this package assembles.
 */
package dev.notify.server;
