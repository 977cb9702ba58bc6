/**
 * The {@code redis} cluster signal engine's provider and the Redis Streams ingestion a host starts.
 * It may call notify-api and its internal package; the host reaches the engine only through the
 * ClusterSignalProvider SPI, and the ingestion through {@link dev.notify.cluster.redis.RedisStreamIngest}.
 */
package dev.notify.cluster.redis;
