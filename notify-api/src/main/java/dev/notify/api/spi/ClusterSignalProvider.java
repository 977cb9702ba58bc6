package dev.notify.api.spi;

import dev.notify.api.Api;

/**
 * Creates a {@link ClusterSignals} engine. Found with {@link java.util.ServiceLoader}, like
 * {@link ChannelProvider}: list the class in {@code provides dev.notify.api.spi.ClusterSignalProvider
 * with ...} and in {@code META-INF/services/dev.notify.api.spi.ClusterSignalProvider}. The host picks
 * one by {@link #name()} (configuration key {@code cluster.signals}); without one it uses the
 * in-process engine, right for a single node.
 *
 * <pre>{@code
 * public final class RedisSignalsProvider implements ClusterSignalProvider {
 *     public String name() { return "redis"; }
 *     public ClusterSignals create(ClusterContext context) {
 *         return new RedisSignals(context.config().require("url"), context);
 *     }
 * }
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public interface ClusterSignalProvider {

    /** The engine's name: lower-case letters, digits and dashes ({@code "postgres"}, {@code "redis"}). */
    String name();

    /**
     * Creates and starts the engine. May fail fast (bad configuration, unreachable server at start)
     * with an exception whose message says what to fix.
     */
    ClusterSignals create(ClusterContext context);
}
