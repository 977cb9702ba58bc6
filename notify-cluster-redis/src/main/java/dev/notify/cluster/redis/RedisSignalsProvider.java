package dev.notify.cluster.redis;

import dev.notify.api.Api;
import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.Config;
import dev.notify.cluster.redis.internal.Channels;
import dev.notify.cluster.redis.internal.RedisClients;
import dev.notify.cluster.redis.internal.RedisSignals;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code redis} cluster signal engine: nodes that share one store tell each other what changed
 * through Redis pub/sub, each node subscribed only to the channels of the users and topics it serves
 * (plus one channel all nodes hear). The store stays the truth: a signal lost while Redis is away is
 * recovered from the event log.
 *
 * <p>Configuration ({@code cluster.redis.*}; the server's {@code --redis-url} sets the first):
 * {@code url} (required, {@code redis://[user:password@]host:port[/db]} or {@code rediss://} for TLS),
 * {@code prefix} (default {@value #DEFAULT_PREFIX}; nodes of one cluster use the same one, separate
 * clusters on one Redis different ones), {@code max-backoff} (default 5s, the longest wait between
 * reconnects), {@code payloads} (default false; the server's {@code --redis-payloads}): users' live
 * entries travel whole in the pub/sub message, at most {@link dev.notify.api.spi.ClusterMessage#MAX_WIRE_CHARS}
 * characters each (a longer one as a plain signal), so the receiving node pushes them without reading
 * the event log and reads it only when a sequence is missing or out of order. Every node of a cluster
 * should use the same setting (a node with it off still pushes what it receives, but sends plain signals);
 * only processes trusted to publish notifications may publish on the prefix's channels.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class RedisSignalsProvider implements ClusterSignalProvider {

    /** The engine's name, {@value}. */
    public static final String NAME = "redis";
    /** The default channel prefix, {@value}. */
    public static final String DEFAULT_PREFIX = "notify:";

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:{}-]{1,64}");

    /** Needed by {@link java.util.ServiceLoader}. */
    public RedisSignalsProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ClusterSignals create(ClusterContext context) {
        Config c = context.config();
        String url = c.get("url").orElseThrow(() -> new IllegalArgumentException(
                "cluster signals through Redis need cluster.redis.url (--redis-url redis://[user:password@]host:port[/db])"));
        String prefix = c.get("prefix").orElse(DEFAULT_PREFIX);
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("cluster.redis.prefix must be 1 to 64 letters, digits or _.:{}- (no glob characters), got '"
                    + prefix + "'");
        }
        Duration maxBackoff = c.getDuration("max-backoff", Duration.ofSeconds(5));
        RedisSignals s = new RedisSignals(RedisClients.uri(url, "cluster.redis.url"), new Channels(prefix), maxBackoff,
                c.getBoolean("payloads", false), context);
        s.start();
        return s;
    }
}
