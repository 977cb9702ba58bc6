/**
 * What the benchmarks share: /proc CPU readings, JWTs, percentiles, waiting for a server process.
 * Benchmarks may call every Notify module; nothing calls them.
 */
package dev.notify.bench;
