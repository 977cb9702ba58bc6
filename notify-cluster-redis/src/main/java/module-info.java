/**
 * Cluster signals between Notify nodes through Redis pub/sub (the engine named {@code redis} of
 * {@link dev.notify.api.spi.ClusterSignalProvider}) and the consumer of a Redis Stream of publish
 * requests that a host feeds into its publish path.
 */
module dev.notify.cluster.redis {
    requires dev.notify.api;
    // Lettuce (an automatic module): pub/sub, streams, consumer groups, reconnects
    requires lettuce.core;

    exports dev.notify.cluster.redis;

    provides dev.notify.api.spi.ClusterSignalProvider with dev.notify.cluster.redis.RedisSignalsProvider;
}
