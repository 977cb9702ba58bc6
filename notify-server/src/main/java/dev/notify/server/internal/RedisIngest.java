package dev.notify.server.internal;

import dev.notify.api.Notification;
import dev.notify.api.spi.Config;
import dev.notify.cluster.redis.RedisStreamIngest;
import dev.notify.cluster.redis.RedisStreamIngest.Entry;
import dev.notify.cluster.redis.RedisStreamIngest.Outcome;
import dev.notify.core.NotificationService;
import dev.notify.core.PublishReceipt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --redis-ingest-stream}: entries of a Redis Stream published as if they had been
 * {@code POST}ed to {@code /api/v1/notifications} with the server's API key. The field
 * {@code notification} holds the same JSON as that request's body; other fields are ignored (a
 * producer may add its own, such as a trace id). An entry without an {@code idempotencyKey} gets
 * {@code redis:<stream>:<entry id>}, so an entry read again after a crash between storing and
 * {@code XACK} is found stored and not published twice.
 *
 * <p>A batch is stored in one transaction; when the service refuses it as invalid, its entries are
 * published one by one to tell the invalid ones (dead-lettered with the error) from the rest.
 * Any other failure (the database is away, the queue is full) leaves the whole batch pending.
 */
public final class RedisIngest implements RedisStreamIngest.Sink {

    private static final System.Logger LOG = System.getLogger(RedisIngest.class.getName());

    private final NotificationService service;
    private final String scope;
    private final String stream;

    RedisIngest(NotificationService service, String scope, String stream) {
        this.service = service;
        this.scope = scope;
        this.stream = stream;
    }

    /**
     * Starts consuming when {@code ingest.redis.stream} is set: the URL is {@code ingest.redis.url}
     * or else the cluster's {@code cluster.redis.url}; {@code ingest.redis.group} (default
     * {@code notify}), {@code ingest.redis.dead-letter} (default {@code <stream>:dead}),
     * {@code ingest.redis.batch} (500), {@code ingest.redis.claim-idle} (30s),
     * {@code ingest.redis.max-deliveries} (5), {@code ingest.redis.threads} (2 consumers per node) tune it.
     */
    public static Optional<RedisStreamIngest> start(Config config, NotificationService service, String scope, String nodeId) {
        Optional<String> stream = config.get("ingest.redis.stream");
        if (stream.isEmpty()) {
            return Optional.empty();
        }
        String url = config.get("ingest.redis.url").or(() -> config.get("cluster.redis.url")).orElseThrow(() ->
                new IllegalArgumentException("--redis-ingest-stream needs --redis-url (the Redis to read the stream from)"));
        RedisStreamIngest.Settings s = RedisStreamIngest.Settings.of(url, stream.get(), nodeId)
                .withGroup(config.get("ingest.redis.group").orElse("notify"))
                .withDeadLetter(config.get("ingest.redis.dead-letter").orElse(stream.get() + ":dead"))
                .withBatch(config.getInt("ingest.redis.batch", 500))
                .withClaimIdle(config.getDuration("ingest.redis.claim-idle", Duration.ofSeconds(30)))
                .withMaxDeliveries(config.getInt("ingest.redis.max-deliveries", 5))
                .withThreads(config.getInt("ingest.redis.threads", 2));
        RedisStreamIngest ingest = RedisStreamIngest.start(s, new RedisIngest(service, scope, stream.get()));
        LOG.log(System.Logger.Level.INFO, "ingesting the Redis stream " + s.stream() + " as consumer " + s.consumer()
                + " (" + s.threads() + " threads) of group " + s.group() + "; dead letters go to " + s.deadLetter());
        return Optional.of(ingest);
    }

    @Override
    public List<Outcome> store(List<Entry> batch) {
        Outcome[] out = new Outcome[batch.size()];
        int[] duplicateOf = new int[batch.size()];
        List<Notification> valid = new ArrayList<>(batch.size());
        List<Integer> at = new ArrayList<>(batch.size());
        Map<String, Integer> firstOfKey = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            duplicateOf[i] = -1;
            try {
                Notification n = parse(batch.get(i));
                // the same key twice in one batch (a producer's retry): the second shares the first's fate
                Integer first = firstOfKey.putIfAbsent(n.idempotencyKey().orElseThrow(), i);
                if (first != null) {
                    duplicateOf[i] = first;
                    continue;
                }
                valid.add(n);
                at.add(i);
            } catch (ApiException | IllegalArgumentException ex) {
                out[i] = new Outcome.Invalid("invalid notification: " + ex.getMessage());
            }
        }
        if (!valid.isEmpty()) {
            try {
                service.publishAll(valid, scope);
                at.forEach(i -> out[i] = new Outcome.Stored());
            } catch (IllegalArgumentException refused) {
                // one of them is invalid (an unknown channel, a template error): find which, one by one
                for (int k = 0; k < valid.size(); k++) {
                    out[at.get(k)] = one(valid.get(k));
                }
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (duplicateOf[i] >= 0) {
                out[i] = out[duplicateOf[i]];
            }
        }
        return List.of(out);
    }

    private Outcome one(Notification n) {
        try {
            PublishReceipt r = service.publish(n, scope);
            LOG.log(System.Logger.Level.DEBUG, () -> "stored " + r.id() + " from " + stream);
            return new Outcome.Stored();
        } catch (IllegalArgumentException e) {
            return new Outcome.Invalid("invalid notification: " + e.getMessage());
        }
    }

    private Notification parse(Entry e) {
        String json = e.fields().get("notification");
        if (json == null) {
            throw new IllegalArgumentException("the entry has no field 'notification' (the JSON of POST /api/v1/notifications); fields: "
                    + new java.util.TreeSet<>(e.fields().keySet()));
        }
        Map<String, Object> body = new LinkedHashMap<>(Http.jsonObject(service.json(), json));
        body.putIfAbsent("idempotencyKey", defaultKey(e));
        return Wire.notification(body, "notification.");
    }

    private String defaultKey(Entry e) {
        return "redis:" + stream + ":" + e.id();
    }
}
