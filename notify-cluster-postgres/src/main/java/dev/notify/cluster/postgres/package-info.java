/**
 * The {@code postgres} cluster signal engine's provider: what the host finds with ServiceLoader and configures.
 * It may call notify-api and its internal package; the host reaches it only through the ClusterSignalProvider SPI.
 */
package dev.notify.cluster.postgres;
