package dev.notify.core;

import dev.notify.api.spi.Config;
import dev.notify.api.spi.Retention;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of a {@link NotificationService}. Immutable; start from {@link #builder()}, whose
 * defaults suit most uses.
 *
 * @param workers delivery worker threads (default 5)
 * @param queueCapacity most deliveries waiting in memory; past it publishes are refused with {@link QueueFullException}
 * @param retryPolicy backoff of failed push deliveries
 * @param clock the clock all due times are computed with (a fake one in tests)
 * @param deliveryTimeout longest a single attempt may take before it counts as failed (timed out) and is retried per
 *        policy (default 30 s); an attempt also ends before this node's lease on the delivery could lapse
 * @param pollInterval how often due deliveries are claimed from the store (retries, scheduled ones, other nodes' leftovers)
 * @param lease how long a claimed delivery stays reserved to this node
 * @param nodeId this node's id, the owner of its leases
 * @param config the configuration tree; each channel gets its {@code channels.<name>} node, and the engine reads
 *        {@code delivery.max-in-flight} ({@link #maxInFlight()}) from it
 * @param retention how long events, idempotency keys, finished deliveries and old notifications are kept
 * @param pruneInterval how often retention runs
 * @param maxConnectionsPerUser most live stream connections one user may hold
 * @param streamPollInterval how often the event log is checked for entries other nodes appended (local
 *        publishes wake the stream dispatcher at once)
 */
public record ServiceConfig(int workers, int queueCapacity, RetryPolicy retryPolicy, Clock clock, Duration deliveryTimeout,
                            Duration pollInterval, Duration lease, String nodeId, Config config, Retention retention,
                            Duration pruneInterval, int maxConnectionsPerUser, Duration streamPollInterval) {

    /** Validates the components. */
    public ServiceConfig {
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("workers must be between 1 and 1024, got " + workers);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive, got " + queueCapacity);
        }
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(clock, "clock");
        requirePositive("deliveryTimeout", deliveryTimeout);
        requirePositive("pollInterval", pollInterval);
        requirePositive("lease", lease);
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(retention, "retention");
        requirePositive("pruneInterval", pruneInterval);
        if (maxConnectionsPerUser < 1) {
            throw new IllegalArgumentException("maxConnectionsPerUser must be positive, got " + maxConnectionsPerUser);
        }
        requirePositive("streamPollInterval", streamPollInterval);
        maxInFlight(config);
    }

    /** The default of {@link #maxInFlight()}. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;

    /**
     * Most push attempts in flight at once on this node, across all channels: the configuration key
     * {@code delivery.max-in-flight} (default {@value #DEFAULT_MAX_IN_FLIGHT}). An attempt in flight
     * holds its delivery, an {@code AsyncChannel}'s request state or a blocking channel's thread;
     * at the limit the workers take no job until one completes, so memory stays bounded however many
     * endpoints hang. Each channel's share is its {@code channels.<name>.max-concurrency}.
     *
     * @throws IllegalArgumentException when the key is set to less than 1
     */
    public int maxInFlight() {
        return maxInFlight(config);
    }

    private static int maxInFlight(Config config) {
        int n = config.node("delivery").getInt("max-in-flight", DEFAULT_MAX_IN_FLIGHT);
        if (n < 1) {
            throw new IllegalArgumentException("delivery.max-in-flight must be positive, got " + n);
        }
        return n;
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** The defaults. */
    public static ServiceConfig defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().workers(workers).queueCapacity(queueCapacity).retryPolicy(retryPolicy).clock(clock)
                .deliveryTimeout(deliveryTimeout).pollInterval(pollInterval).lease(lease).nodeId(nodeId).config(config)
                .retention(retention).pruneInterval(pruneInterval).maxConnectionsPerUser(maxConnectionsPerUser)
                .streamPollInterval(streamPollInterval);
    }

    /** Builds a {@link ServiceConfig}. */
    public static final class Builder {
        private int workers = 5;
        private int queueCapacity = 100_000;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Duration deliveryTimeout = Duration.ofSeconds(30);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration lease = Duration.ofSeconds(60);
        private String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
        private Config config = Config.empty();
        private Retention retention = Retention.DEFAULT;
        private Duration pruneInterval = Duration.ofMinutes(1);
        private int maxConnectionsPerUser = 16;
        private Duration streamPollInterval = Duration.ofMillis(100);

        private Builder() {
        }

        /** Worker threads (default 5). */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** Most deliveries waiting in memory (default 100,000). */
        public Builder queueCapacity(int n) {
            this.queueCapacity = n;
            return this;
        }

        /** Backoff of failed push deliveries (default {@link RetryPolicy#DEFAULT}). */
        public Builder retryPolicy(RetryPolicy p) {
            this.retryPolicy = p;
            return this;
        }

        /** The clock (default UTC system clock). */
        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Longest single attempt (default 30 s). */
        public Builder deliveryTimeout(Duration d) {
            this.deliveryTimeout = d;
            return this;
        }

        /** How often the store is polled for due deliveries (default 1 s). */
        public Builder pollInterval(Duration d) {
            this.pollInterval = d;
            return this;
        }

        /** Lease of claimed deliveries (default 60 s). */
        public Builder lease(Duration d) {
            this.lease = d;
            return this;
        }

        /** This node's id (default random). */
        public Builder nodeId(String id) {
            this.nodeId = id;
            return this;
        }

        /** The configuration tree; channels read {@code channels.<name>.*}. */
        public Builder config(Config c) {
            this.config = c;
            return this;
        }

        /** Retention of events, idempotency keys, finished deliveries and old notifications (default {@link Retention#DEFAULT}). */
        public Builder retention(Retention r) {
            this.retention = r;
            return this;
        }

        /** How often retention runs (default 1 min). */
        public Builder pruneInterval(Duration d) {
            this.pruneInterval = d;
            return this;
        }

        /** Most live connections per user (default 16). */
        public Builder maxConnectionsPerUser(int n) {
            this.maxConnectionsPerUser = n;
            return this;
        }

        /** How often the event log is checked for other nodes' entries (default 100 ms). */
        public Builder streamPollInterval(Duration d) {
            this.streamPollInterval = d;
            return this;
        }

        /** Builds and validates. */
        public ServiceConfig build() {
            return new ServiceConfig(workers, queueCapacity, retryPolicy, clock, deliveryTimeout, pollInterval, lease,
                    nodeId, config, retention, pruneInterval, maxConnectionsPerUser, streamPollInterval);
        }
    }
}
