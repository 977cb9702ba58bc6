package dev.notify.cluster.redis.internal;

import dev.notify.cluster.redis.RedisStreamIngest.Entry;
import dev.notify.cluster.redis.RedisStreamIngest.Outcome;
import dev.notify.cluster.redis.RedisStreamIngest.Settings;
import dev.notify.cluster.redis.RedisStreamIngest.Sink;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consumer-group loops behind {@link dev.notify.cluster.redis.RedisStreamIngest}, each on a thread
 * and a connection of its own: at the start of each session (first connect, reconnect) it reads its own pending entries again
 * (a restarted node with the same name finishes what it had read), then alternates between
 * {@code XREADGROUP >} (blocking up to a second) and, every half claim-idle time, {@code XAUTOCLAIM}
 * of entries other consumers left idle. A batch the sink cannot store is retried from memory with
 * backoff, not read again, so an outage of the database does not count as deliveries of the entries.
 */
public final class StreamConsumer {

    private static final System.Logger LOG = System.getLogger(StreamConsumer.class.getName());
    private static final long BLOCK_MS = 1000;

    private final RedisURI uri;
    private final Settings settings;
    private final Sink sink;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;
    private volatile RedisClient client;

    public StreamConsumer(RedisURI uri, Settings settings, Sink sink) {
        this.uri = uri;
        this.settings = settings;
        this.sink = sink;
    }

    /**
     * Starts {@link Settings#threads()} consumers, each a member of the group on a connection of its
     * own ({@code <consumer>}, {@code <consumer>#2}, ...): while one stores a batch, the next one reads
     * and stores the next, and a blocking read never holds up another's acknowledgements.
     */
    public void start() {
        client = RedisClients.client(uri, settings.maxBackoff());
        for (int i = 1; i <= settings.threads(); i++) {
            String name = i == 1 ? settings.consumer() : settings.consumer() + "#" + i;
            Thread t = new Thread(new Worker(Consumer.from(settings.group(), name))::run, "notify-redis-ingest-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    public long stored() {
        return stored.get();
    }

    public long deadLettered() {
        return dead.get();
    }

    public boolean connected() {
        return connections.get() > 0;
    }

    /** One member of the group, on its own thread and connection. */
    private final class Worker {
        private final Consumer<String> me;
        private String claimCursor = "0-0";
        private long nextClaimNanos;
        private boolean connected;

        Worker(Consumer<String> me) {
            this.me = me;
        }

        private void run() {
            Duration backoff = RedisClients.MIN_BACKOFF;
            boolean warned = false;
            while (!closed) {
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    RedisCommands<String, String> r = c.sync();
                    createGroup(r);
                    connected = true;
                    connections.incrementAndGet();
                    if (warned) {
                        LOG.log(System.Logger.Level.INFO, "consuming " + settings.stream() + " at " + RedisClients.where(uri) + " again");
                    }
                    warned = false;
                    backoff = RedisClients.MIN_BACKOFF;
                    session(r);
                } catch (RuntimeException e) {
                    if (connected) {
                        connected = false;
                        connections.decrementAndGet();
                    }
                    if (closed) {
                        return;
                    }
                    if (!warned) {
                        LOG.log(System.Logger.Level.WARNING, "cannot consume the Redis stream " + settings.stream() + " at " + RedisClients.where(uri)
                                + " (" + RedisClients.cause(e) + "); retrying with backoff, entries wait in the stream meanwhile");
                        warned = true;
                    }
                    pause(backoff);
                    backoff = next(backoff);
                }
            }
        }

        private void createGroup(RedisCommands<String, String> r) {
            try {
                r.xgroupCreate(XReadArgs.StreamOffset.from(settings.stream(), "0"), settings.group(), XGroupCreateArgs.Builder.mkstream());
                LOG.log(System.Logger.Level.INFO, "created the consumer group " + settings.group() + " on " + settings.stream());
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                    throw e;
                }
            }
        }

        private void session(RedisCommands<String, String> r) {
            // what this consumer had read but not acknowledged before (a restart, a lost connection)
            List<StreamMessage<String, String>> mine;
            do {
                mine = r.xreadgroup(me, XReadArgs.Builder.count(settings.batch()), XReadArgs.StreamOffset.from(settings.stream(), "0"));
                handle(r, mine);
            } while (!mine.isEmpty() && !closed);
            while (!closed) {
                if (System.nanoTime() >= nextClaimNanos) {
                    claim(r);
                }
                handle(r, r.xreadgroup(me, XReadArgs.Builder.count(settings.batch()).block(BLOCK_MS),
                        XReadArgs.StreamOffset.lastConsumed(settings.stream())));
            }
        }

        /** Takes over entries idle past the claim time in other consumers' hands; poison (delivered too often) goes to the dead letters. */
        private void claim(RedisCommands<String, String> r) {
            do {
                ClaimedMessages<String, String> claimed = r.xautoclaim(settings.stream(),
                        XAutoClaimArgs.Builder.xautoclaim(me, settings.claimIdle(), claimCursor).count(settings.batch()));
                claimCursor = claimed.getId();
                List<StreamMessage<String, String>> msgs = claimed.getMessages();
                if (msgs.isEmpty()) {
                    break;
                }
                LOG.log(System.Logger.Level.INFO, "claimed " + msgs.size() + " entries of " + settings.stream() + " left idle by another consumer");
                Map<String, Long> deliveries = new HashMap<>();
                for (PendingMessage p : r.xpending(settings.stream(), me, Range.create(msgs.get(0).getId(), msgs.get(msgs.size() - 1).getId()),
                        Limit.from(msgs.size()))) {
                    deliveries.put(p.getId(), p.getRedeliveryCount());
                }
                List<StreamMessage<String, String>> fine = new ArrayList<>();
                for (StreamMessage<String, String> m : msgs) {
                    long n = deliveries.getOrDefault(m.getId(), 0L);
                    if (n > settings.maxDeliveries()) {
                        deadLetter(r, me.getName(), m, "handed out " + n + " times without being stored (a consumer died with it each time?)");
                        r.xack(settings.stream(), settings.group(), m.getId());
                    } else {
                        fine.add(m);
                    }
                }
                handle(r, fine);
            } while (!"0-0".equals(claimCursor) && !closed);
            long every = Math.max(Duration.ofSeconds(1).toNanos(), settings.claimIdle().toNanos() / 2);
            nextClaimNanos = System.nanoTime() + every;
        }

        /** Stores a batch (retrying from memory while the sink fails), dead-letters the invalid ones, acknowledges all. */
        private void handle(RedisCommands<String, String> r, List<StreamMessage<String, String>> msgs) {
            if (msgs.isEmpty()) {
                return;
            }
            List<Entry> batch = new ArrayList<>(msgs.size());
            List<StreamMessage<String, String>> readable = new ArrayList<>(msgs.size());
            for (StreamMessage<String, String> m : msgs) {
                if (m.getBody() == null) {
                    r.xack(settings.stream(), settings.group(), m.getId()); // deleted from the stream (XDEL) while pending: nothing to store
                } else {
                    batch.add(new Entry(m.getId(), m.getBody()));
                    readable.add(m);
                }
            }
            if (batch.isEmpty()) {
                return;
            }
            List<Outcome> outcomes = storeWithRetries(batch);
            if (outcomes == null) {
                return; // closing: the entries stay pending, and this node or another takes them up again
            }
            String[] ids = new String[readable.size()];
            int invalid = 0;
            for (int i = 0; i < readable.size(); i++) {
                ids[i] = readable.get(i).getId();
                if (outcomes.get(i) instanceof Outcome.Invalid bad) {
                    deadLetter(r, me.getName(), readable.get(i), bad.reason());
                    invalid++;
                }
            }
            r.xack(settings.stream(), settings.group(), ids);
            stored.addAndGet(ids.length - invalid);
        }

        private List<Outcome> storeWithRetries(List<Entry> batch) {
            Duration backoff = RedisClients.MIN_BACKOFF;
            boolean warned = false;
            while (!closed) {
                try {
                    List<Outcome> out = sink.store(batch);
                    if (out.size() != batch.size()) {
                        throw new IllegalStateException("the sink returned " + out.size() + " outcomes for " + batch.size() + " entries");
                    }
                    if (warned) {
                        LOG.log(System.Logger.Level.INFO, "storing entries of " + settings.stream() + " works again");
                    }
                    return out;
                } catch (RuntimeException e) {
                    if (!warned) {
                        LOG.log(System.Logger.Level.WARNING, "cannot store " + batch.size() + " entries of " + settings.stream() + " ("
                                + RedisClients.cause(e) + "); they stay pending and are retried with backoff");
                        warned = true;
                    }
                    pause(backoff);
                    backoff = next(backoff);
                }
            }
            return null;
        }

    }

    private void deadLetter(RedisCommands<String, String> r, String consumer, StreamMessage<String, String> m, String reason) {
        Map<String, String> fields = new LinkedHashMap<>(m.getBody() == null ? Map.of() : m.getBody());
        fields.put("_reason", reason);
        fields.put("_source_stream", settings.stream());
        fields.put("_source_id", m.getId());
        fields.put("_consumer", consumer);
        r.xadd(settings.deadLetter(), fields);
        dead.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "moved entry " + m.getId() + " of " + settings.stream() + " to " + settings.deadLetter() + ": " + reason);
    }

    private Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis() + ThreadLocalRandom.current().nextLong(d.toMillis() / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops after the batch in hand (acknowledged if stored) and closes the connection. */
    public void close() {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BLOCK_MS + 5_000);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RedisClients.shutdown(client);
    }
}
