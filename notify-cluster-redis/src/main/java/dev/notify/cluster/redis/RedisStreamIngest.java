package dev.notify.cluster.redis;

import dev.notify.api.Api;
import dev.notify.cluster.redis.internal.RedisClients;
import dev.notify.cluster.redis.internal.StreamConsumer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Publish requests read from a Redis Stream by a consumer group: each node that starts one is a
 * consumer of the group, so the nodes share the stream's entries. An entry is acknowledged
 * ({@code XACK}) only once the host's {@link Sink} has stored it durably; one the sink calls invalid
 * is copied to the dead-letter stream with the reason and acknowledged (never retried); one the
 * sink could not store (the database is away) stays pending and is read again. Entries left pending
 * by a consumer that died are claimed by another after {@link Settings#claimIdle()} with
 * {@code XAUTOCLAIM}; an entry claimed more than {@link Settings#maxDeliveries()} times goes to the
 * dead-letter stream too, so that an entry that kills its consumer cannot kill them all in turn.
 *
 * <pre>{@code
 * RedisStreamIngest ingest = RedisStreamIngest.start(
 *         RedisStreamIngest.Settings.of("redis://:pw@127.0.0.1:6379", "notifications", "node-a"),
 *         batch -> store(batch)); // one Outcome per entry, in order
 * ...
 * ingest.close();
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class RedisStreamIngest implements AutoCloseable {

    private final StreamConsumer consumer;

    private RedisStreamIngest(StreamConsumer consumer) {
        this.consumer = consumer;
    }

    /**
     * Creates the consumer group if the stream has none (from the stream's first entry: what was
     * written before the first node started is delivered too) and starts consuming on a thread of its
     * own. Redis unreachable at start is not an error: the consumer retries with backoff.
     *
     * @throws IllegalArgumentException for a URL that is not a Redis URL
     */
    public static RedisStreamIngest start(Settings settings, Sink sink) {
        StreamConsumer c = new StreamConsumer(RedisClients.uri(settings.url(), "--redis-url"), settings, sink);
        c.start();
        return new RedisStreamIngest(c);
    }

    /** Entries stored so far by this node. */
    public long stored() {
        return consumer.stored();
    }

    /** Entries this node moved to the dead-letter stream so far. */
    public long deadLettered() {
        return consumer.deadLettered();
    }

    /** Whether the consumer is connected to Redis now. */
    public boolean connected() {
        return consumer.connected();
    }

    /** Stops consuming (an entry being stored is finished and acknowledged first) and closes the connection. */
    @Override
    public void close() {
        consumer.close();
    }

    /**
     * One entry of the stream.
     *
     * @param id the entry's id, such as {@code 1733500000123-0}
     * @param fields its fields and values
     */
    public record Entry(String id, Map<String, String> fields) {
        /** Validates and copies the components. */
        public Entry {
            Objects.requireNonNull(id, "id");
            fields = Map.copyOf(fields);
        }
    }

    /** What the host made of one entry. */
    public sealed interface Outcome permits Outcome.Stored, Outcome.Invalid {
        /** Stored durably (or found stored already, by its idempotency key): acknowledge it. */
        record Stored() implements Outcome {
        }

        /**
         * Not a valid publish request: dead-letter it with the reason.
         *
         * @param reason what is wrong, for the dead-letter entry
         */
        record Invalid(String reason) implements Outcome {
            /** Validates the reason. */
            public Invalid {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /** Stores what the stream brings, a batch at a time. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Stores the entries, durably, before returning.
         *
         * @return one outcome per entry, in the order given
         * @throws RuntimeException when nothing could be stored now (the database is away): nothing is
         *         acknowledged and the batch is read again after a backoff
         */
        List<Outcome> store(List<Entry> batch);
    }

    /**
     * How to consume.
     *
     * @param url {@code redis://[user:password@]host:port[/db]} or {@code rediss://...}
     * @param stream the stream's key
     * @param group the consumer group (nodes of one cluster share one)
     * @param consumer this node's name in the group (its node id, so a restarted node finds its pending entries)
     * @param deadLetter the dead-letter stream's key
     * @param batch most entries read and stored together
     * @param claimIdle how long an entry stays pending with a silent consumer before another claims it
     * @param maxDeliveries most times an entry is handed out before it is dead-lettered as poison
     * @param maxBackoff the longest wait between reconnects or retries of a failed store
     * @param threads consumers of this node, each storing its own batches (one reads while another stores)
     */
    public record Settings(String url, String stream, String group, String consumer, String deadLetter, int batch,
                           Duration claimIdle, int maxDeliveries, Duration maxBackoff, int threads) {

        /** Validates the components. */
        public Settings {
            Objects.requireNonNull(url, "url");
            for (String s : new String[] {stream, group, consumer, deadLetter}) {
                if (s == null || s.isBlank()) {
                    throw new IllegalArgumentException("the stream, group, consumer and dead-letter stream of Redis ingestion must not be blank");
                }
            }
            if (stream.equals(deadLetter)) {
                throw new IllegalArgumentException("the dead-letter stream must not be the ingested stream itself: " + stream);
            }
            if (batch < 1 || batch > 10_000) {
                throw new IllegalArgumentException("the ingestion batch must be 1 to 10000 entries, got " + batch);
            }
            if (maxDeliveries < 1) {
                throw new IllegalArgumentException("max deliveries must be at least 1, got " + maxDeliveries);
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("the ingestion threads must be 1 to 64, got " + threads);
            }
            Objects.requireNonNull(claimIdle, "claimIdle");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
        }

        /**
         * The defaults: group {@code notify}, dead letters in {@code <stream>:dead}, batches of 500,
         * claim after 30 s idle, dead-letter after 5 deliveries, back off up to 5 s, 2 consumer threads.
         */
        public static Settings of(String url, String stream, String consumer) {
            return new Settings(url, stream, "notify", consumer, stream + ":dead", 500, Duration.ofSeconds(30), 5, Duration.ofSeconds(5), 2);
        }

        /** The same with another number of consumer threads. */
        public Settings withThreads(int n) {
            return new Settings(url, stream, group, consumer, deadLetter, batch, claimIdle, maxDeliveries, maxBackoff, n);
        }

        /** The same with another group. */
        public Settings withGroup(String g) {
            return new Settings(url, stream, g, consumer, deadLetter, batch, claimIdle, maxDeliveries, maxBackoff, threads);
        }

        /** The same with another dead-letter stream. */
        public Settings withDeadLetter(String d) {
            return new Settings(url, stream, group, consumer, d, batch, claimIdle, maxDeliveries, maxBackoff, threads);
        }

        /** The same with another batch size. */
        public Settings withBatch(int b) {
            return new Settings(url, stream, group, consumer, deadLetter, b, claimIdle, maxDeliveries, maxBackoff, threads);
        }

        /** The same with another claim idle time. */
        public Settings withClaimIdle(Duration d) {
            return new Settings(url, stream, group, consumer, deadLetter, batch, d, maxDeliveries, maxBackoff, threads);
        }

        /** The same with another limit of deliveries. */
        public Settings withMaxDeliveries(int n) {
            return new Settings(url, stream, group, consumer, deadLetter, batch, claimIdle, n, maxBackoff, threads);
        }

        /** The same with another longest backoff. */
        public Settings withMaxBackoff(Duration d) {
            return new Settings(url, stream, group, consumer, deadLetter, batch, claimIdle, maxDeliveries, d, threads);
        }
    }
}
