package dev.notify.cluster.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How Notify's Redis clients are made, for the signal engine and the stream ingestion alike: one
 * small event loop each, commands that fail fast while disconnected (a hint is dropped rather than
 * queued behind an outage), reconnects with exponential backoff and jitter up to a maximum, and
 * start-up errors sorted into "fix the configuration" and "Redis is not there yet".
 */
public final class RedisClients {

    /** The shortest wait before a reconnect. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private RedisClients() {
    }

    /**
     * Parses {@code redis://[user:password@]host:port[/db]} or {@code rediss://...}.
     *
     * @throws IllegalArgumentException naming the flag when it is not such a URL
     */
    public static RedisURI uri(String url, String flag) {
        if (url == null || !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
            throw new IllegalArgumentException(flag + " must be redis://[user:password@]host:port[/db] or rediss://..., got '"
                    + (url == null ? "" : redact(url)) + "'");
        }
        try {
            RedisURI u = RedisURI.create(url);
            u.setTimeout(TIMEOUT);
            return u;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " is not a Redis URL (" + e.getMessage() + "): " + redact(url), e);
        }
    }

    /** A client of its own, with its own small event loop, released by {@link #shutdown}. */
    public static RedisClient client(RedisURI uri, Duration maxBackoff) {
        Duration max = maxBackoff.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF : maxBackoff;
        ClientResources resources = ClientResources.builder()
                .ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.equalJitter(MIN_BACKOFF, max, 100, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
                .build());
        return client;
    }

    /** Closes the client and its event loop without the usual two-second quiet period. */
    public static void shutdown(RedisClient client) {
        if (client == null) {
            return;
        }
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            // closing after a failure: nothing left to release
        }
        // no quiet period; the event loop's threads end on their own a moment later (its future is Netty's type, which this module does not read)
        client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Whether a connect failed because Redis refused the credentials: retrying does not help. */
    public static boolean refusedCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toUpperCase(Locale.ROOT);
            if (m.contains("WRONGPASS") || m.contains("NOAUTH") || m.contains("INVALID PASSWORD")
                    || m.contains("INVALID USERNAME") || m.contains("AUTH FAILED")) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message of a failure, the one that names the cause. */
    public static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** The URL without its password, for messages and logs. */
    public static String redact(String url) {
        return url.replaceAll("(rediss?://)([^@/]*:)?[^@/]*@", "$1$2***@");
    }

    /** {@code host:port} of a URI, for messages. */
    public static String where(RedisURI u) {
        return u.getHost() + ":" + u.getPort();
    }
}
