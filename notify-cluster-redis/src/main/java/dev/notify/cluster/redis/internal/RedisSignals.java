package dev.notify.cluster.redis.internal;

import dev.notify.api.Audience;
import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignal;
import dev.notify.api.spi.ClusterSignals;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster signals over Redis pub/sub, on two connections of its own (Lettuce): one subscribed, which
 * hands what arrives to the host, and one that publishes without waiting for replies.
 *
 * <p>Interest: a node subscribes to {@code <prefix>nodes} and to the channel of each user and topic
 * it holds a connection for ({@link Channels}). The host's {@link #interest}/{@link #noInterest}
 * only note the wish; the engine's own thread brings the subscriptions in line with it, and once a
 * new channel is subscribed it hands the host a wake-up of its own (a {@link ClusterSignal.LogAppended}
 * from origin {@value #SELF_WAKE}), so an event published while the subscription was on its way is
 * read from the log at once rather than at the next poll.
 *
 * <p>Payloads ({@code cluster.redis.payloads}): the host hands this engine users' entries whole
 * ({@link ClusterSignal.LiveEntry}, with the sequence of the user's previous entry), which go on the
 * user's channel like the plain signal they stand for; the receiving host pushes them without reading
 * the log, or reads it when one is missing or late (see {@code CarriedEntries} in notify-core). A body
 * too long for {@link ClusterMessage#MAX_WIRE_CHARS} travels as a plain signal.
 *
 * <p>Faults: Lettuce reconnects with backoff and jitter; while Redis is away sends are dropped (the
 * other nodes' polls find the changes), {@link #connected()} is false, one WARN is logged per outage;
 * once back the engine subscribes to everything again, then asks the host to
 * {@linkplain ClusterContext#resync resync} from the log, in that order, so nothing published in
 * between is missed. A Redis unreachable at start is a degraded start (a WARN, then the same
 * background retries); credentials that Redis refuses are a configuration error and fail the start.
 */
public final class RedisSignals implements ClusterSignals {

    /** The origin of the wake-ups this engine hands its own host after subscribing. */
    public static final String SELF_WAKE = "redis-subscribed";

    private static final System.Logger LOG = System.getLogger(RedisSignals.class.getName());
    private static final long WAIT_SECONDS = 5;

    private final RedisURI uri;
    private final Channels channels;
    private final Duration maxBackoff;
    private final ClusterContext context;
    private final boolean payloads;
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final Set<String> wantedPatterns = ConcurrentHashMap.newKeySet();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Set<String> heldPatterns = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final AtomicLong reconnects = new AtomicLong();
    private final ExecutorService thread;
    private volatile RedisClient client;
    private volatile StatefulRedisPubSubConnection<String, String> subscriber;
    private volatile StatefulRedisConnection<String, String> publisher;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile boolean lost;

    /** @param payloads whether users' live entries travel whole ({@link #carriesEntries()}) */
    public RedisSignals(RedisURI uri, Channels channels, Duration maxBackoff, boolean payloads, ClusterContext context) {
        this.uri = uri;
        this.payloads = payloads;
        this.channels = channels;
        this.maxBackoff = maxBackoff;
        this.context = context;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "notify-redis-signals");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects before returning, so a node that starts hears from the first publish on.
     *
     * @throws IllegalStateException when Redis refuses the credentials (retrying would not help)
     */
    public void start() {
        context.metrics().gauge("notify.cluster.reconnects", reconnects::get, "engine", "redis");
        client = RedisClients.client(uri, maxBackoff);
        client.addListener(new StateListener());
        try {
            connect();
        } catch (RuntimeException e) {
            if (RedisClients.refusedCredentials(e)) {
                close();
                throw new IllegalStateException("Redis at " + RedisClients.where(uri) + " refused the credentials of the Redis URL ("
                        + RedisClients.cause(e) + "): fix the user and password in --redis-url (redis://user:password@host:port)", e);
            }
            LOG.log(System.Logger.Level.WARNING, "Redis at " + RedisClients.where(uri) + " is unreachable (" + RedisClients.cause(e)
                    + "); starting without it: live streams read other nodes' events from the log at the poll interval"
                    + " until Redis answers, retried with backoff");
            lost = true;
            thread.execute(this::connectLoop);
        }
    }

    private void connect() {
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                handle(message);
            }

            @Override
            public void message(String pattern, String channel, String message) {
                handle(message);
            }
        });
        try {
            sub.sync().subscribe(channels.nodes());
            publisher = client.connect();
        } catch (RuntimeException e) {
            sub.closeAsync();
            throw e;
        }
        subscriber = sub;
        connected = true;
    }

    /** A start without Redis: connects in the background, with backoff, until it works or the engine closes. */
    private void connectLoop() {
        Duration backoff = RedisClients.MIN_BACKOFF;
        boolean warnedCredentials = false;
        while (!closed) {
            try {
                connect();
                LOG.log(System.Logger.Level.INFO, "Redis at " + RedisClients.where(uri) + " answers; cluster signals flow through it");
                lost = false;
                reconcile(true);
                context.resync("Redis pub/sub connected late");
                return;
            } catch (RuntimeException e) {
                if (RedisClients.refusedCredentials(e) && !warnedCredentials) {
                    LOG.log(System.Logger.Level.ERROR, "Redis at " + RedisClients.where(uri) + " refuses the credentials of --redis-url ("
                            + RedisClients.cause(e) + "); still retrying");
                    warnedCredentials = true;
                }
            }
            try {
                Thread.sleep(backoff.toMillis() + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1));
            } catch (InterruptedException e) {
                return;
            }
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
        }
    }

    private void handle(String payload) {
        try {
            context.received(ClusterMessage.parse(payload));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "ignoring a message on Notify's channels that is not Notify's: " + e.getMessage());
        }
    }

    @Override
    public void send(ClusterMessage message) {
        StatefulRedisConnection<String, String> p = publisher;
        if (closed || p == null || !connected) {
            return; // a hint lost while Redis is away: the other nodes' polls find the change
        }
        try {
            for (Map.Entry<String, ClusterMessage> e : channels.route(message).entrySet()) {
                p.async().publish(e.getKey(), e.getValue().toWire()); // not awaited: the next burst need not wait for this one
            }
        } catch (RuntimeException e) {
            // rejected while disconnected or over the queue limit: the same as lost
        }
    }

    @Override
    public void interest(Audience audience) {
        (Channels.isPattern(audience) ? wantedPatterns : wanted).add(key(audience));
        queueReconcile();
    }

    @Override
    public void noInterest(Audience audience) {
        (Channels.isPattern(audience) ? wantedPatterns : wanted).remove(key(audience));
        queueReconcile();
    }

    private String key(Audience a) {
        return Channels.isPattern(a) ? channels.pattern((Audience.Topic) a) : channels.of(a);
    }

    private void queueReconcile() {
        if (!closed && reconcileQueued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    reconcileQueued.set(false);
                    reconcile(false);
                });
            } catch (RuntimeException e) {
                reconcileQueued.set(false); // closing
            }
        }
    }

    /**
     * Brings the subscriptions in line with the wish, on the engine's thread; {@code all} subscribes to
     * every wished channel again (after a reconnect, when what Lettuce restored is not known for sure).
     */
    private void reconcile(boolean all) {
        StatefulRedisPubSubConnection<String, String> sub = subscriber;
        if (sub == null || !connected || closed) {
            return; // the reconnect reconciles
        }
        List<String> add = missing(wanted, held, all);
        List<String> addPatterns = missing(wantedPatterns, heldPatterns, all);
        List<String> drop = missing(held, wanted, false);
        List<String> dropPatterns = missing(heldPatterns, wantedPatterns, false);
        RedisPubSubAsyncCommands<String, String> a = sub.async();
        List<RedisFuture<Void>> pending = new ArrayList<>(4);
        try {
            if (!add.isEmpty()) {
                pending.add(a.subscribe(add.toArray(String[]::new)));
            }
            if (!addPatterns.isEmpty()) {
                pending.add(a.psubscribe(addPatterns.toArray(String[]::new)));
            }
            if (!drop.isEmpty()) {
                pending.add(a.unsubscribe(drop.toArray(String[]::new)));
            }
            if (!dropPatterns.isEmpty()) {
                pending.add(a.punsubscribe(dropPatterns.toArray(String[]::new)));
            }
            for (RedisFuture<Void> f : pending) {
                f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return; // disconnected meanwhile: the reconnect subscribes to everything wished again
        }
        held.addAll(add);
        heldPatterns.addAll(addPatterns);
        drop.forEach(held::remove);
        dropPatterns.forEach(heldPatterns::remove);
        if (!all && (!add.isEmpty() || !addPatterns.isEmpty())) {
            // an event for a new subscriber may have been signalled before the SUBSCRIBE arrived: read the log now
            context.received(new ClusterMessage(SELF_WAKE, Instant.now(), List.of(new ClusterSignal.LogAppended(0, List.of()))));
        }
        if (!wanted.containsAll(held) || !held.containsAll(wanted) || !wantedPatterns.equals(heldPatterns)) {
            queueReconcile(); // the wish changed while we worked
        }
    }

    private static List<String> missing(Set<String> from, Set<String> in, boolean all) {
        List<String> out = new ArrayList<>();
        for (String s : from) {
            if (all || !in.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Back after an outage: subscribe to everything again, then catch up from the log. */
    private void afterReconnect() {
        if (closed) {
            return;
        }
        connected = true;
        reconcile(true);
        if (!connected) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Redis at " + RedisClients.where(uri) + " answers again; re-subscribed to "
                + (held.size() + heldPatterns.size() + 1) + " channels, catching up from the log");
        lost = false;
        context.resync("Redis pub/sub reconnected");
    }

    /** The subscribed connection's ups and downs, from Lettuce's event loop: only notes them and hands work on. */
    private final class StateListener implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == subscriber && lost && !closed) {
                try {
                    thread.execute(RedisSignals.this::afterReconnect);
                } catch (RuntimeException e) {
                    // closing
                }
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection != subscriber || closed) {
                return;
            }
            connected = false;
            reconnects.incrementAndGet();
            if (!lost) {
                lost = true;
                LOG.log(System.Logger.Level.WARNING, "lost Redis at " + RedisClients.where(uri) + "; live streams read other nodes'"
                        + " events from the log at the poll interval until it is back (reconnecting with backoff)");
            }
        }
    }

    /** With {@code cluster.redis.payloads}: each user's channel carries that user's entries whole. */
    @Override
    public boolean carriesEntries() {
        return payloads;
    }

    @Override
    public boolean connected() {
        return connected && !closed;
    }

    @Override
    public String describe() {
        return "redis pub/sub at " + RedisClients.where(uri) + ", channels " + channels.prefix() + "{nodes,user:*,topic:*}"
                + (payloads ? ", payloads" : "");
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        thread.shutdownNow();
        StatefulRedisPubSubConnection<String, String> s = subscriber;
        StatefulRedisConnection<String, String> p = publisher;
        subscriber = null;
        publisher = null;
        try {
            if (s != null) {
                s.close();
            }
            if (p != null) {
                p.close();
            }
        } catch (RuntimeException e) {
            // closing a broken connection: nothing to do
        }
        RedisClients.shutdown(client);
    }
}
