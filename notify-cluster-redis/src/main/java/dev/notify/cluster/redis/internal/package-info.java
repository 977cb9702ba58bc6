/**
 * Redis connections of the module's own (Lettuce): the pub/sub engine with its interest-driven
 * subscriptions, reconnects and resyncs, and the consumer-group loop of the stream ingestion.
 * It may call notify-api and Lettuce; nothing outside the module calls it (the package is not exported).
 */
package dev.notify.cluster.redis.internal;
