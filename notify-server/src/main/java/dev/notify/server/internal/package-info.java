/**
 * The server's HTTP API, authentication, access log, error pages and plugin loading; not
 * exported. It may call notify-core, notify-store-jdbc, notify-web and Jetty.
 */
package dev.notify.server.internal;
