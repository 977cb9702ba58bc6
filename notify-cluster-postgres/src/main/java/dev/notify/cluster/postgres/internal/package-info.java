/**
 * LISTEN and NOTIFY on connections of the engine's own, with reconnects and resyncs.
 * It may call notify-api and pgjdbc; nothing outside the module calls it (the package is not exported).
 */
package dev.notify.cluster.postgres.internal;
