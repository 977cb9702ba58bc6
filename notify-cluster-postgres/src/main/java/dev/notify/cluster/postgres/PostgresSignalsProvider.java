package dev.notify.cluster.postgres;

import dev.notify.api.Api;
import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.Config;
import dev.notify.cluster.postgres.internal.PostgresSignals;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code postgres} cluster signal engine: nodes that share one PostgreSQL database tell each
 * other what changed with {@code NOTIFY} and hear it with {@code LISTEN}, each on a connection of
 * its own (not one of the store's pool, which must never be held by a waiting listener).
 *
 * <p>Configuration ({@code cluster.postgres.*}): {@code jdbc-url} (required; the server sets it to
 * its store's URL), {@code jdbc-user}, {@code jdbc-password}, {@code channel} (default
 * {@value #DEFAULT_CHANNEL}; nodes of one cluster use the same one, separate clusters on one
 * database different ones), {@code max-backoff} (default 5s, the longest wait between reconnects).
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class PostgresSignalsProvider implements ClusterSignalProvider {

    /** The engine's name, {@value}. */
    public static final String NAME = "postgres";
    /** The default channel name, {@value}. */
    public static final String DEFAULT_CHANNEL = "notify_signals";

    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Needed by {@link java.util.ServiceLoader}. */
    public PostgresSignalsProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ClusterSignals create(ClusterContext context) {
        Config c = context.config();
        String url = c.get("jdbc-url").orElseThrow(() -> new IllegalArgumentException(
                "cluster signals through PostgreSQL need cluster.postgres.jdbc-url (a jdbc:postgresql: URL)"));
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("cluster signals through PostgreSQL need a jdbc:postgresql: URL, not "
                    + url.replaceAll("password=[^&]*", "password=***"));
        }
        String channel = c.get("channel").orElse(DEFAULT_CHANNEL);
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("cluster.postgres.channel must be a lower-case SQL identifier, got '" + channel + "'");
        }
        Duration maxBackoff = c.getDuration("max-backoff", Duration.ofSeconds(5));
        PostgresSignals s = new PostgresSignals(url, c.get("jdbc-user"), c.get("jdbc-password"), channel, maxBackoff, context);
        s.start();
        return s;
    }
}
