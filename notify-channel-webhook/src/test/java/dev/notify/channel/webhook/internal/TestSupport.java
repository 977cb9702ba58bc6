package dev.notify.channel.webhook.internal;

import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.JsonException;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.testkit.TestChannelContext;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Fakes for the channel's tests: a JSON-B codec, an in-memory endpoint store, a clock that tests move. */
public final class TestSupport {

    private TestSupport() {
    }

    /** JSON through Yasson, as the host does. */
    public static final class YassonJson implements JsonCodec {
        private final Jsonb jsonb = JsonbBuilder.create();

        @Override
        public String toJson(Object value) {
            return jsonb.toJson(value);
        }

        @Override
        public <T> T fromJson(String json, Class<T> type) {
            try {
                return jsonb.fromJson(json, type);
            } catch (RuntimeException e) {
                throw new JsonException(e.getMessage(), e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map<String, Object> parseObject(String json) {
            Object o = fromJson(json, Object.class);
            if (!(o instanceof Map)) {
                throw new JsonException("not a JSON object", null);
            }
            return (Map<String, Object>) o;
        }
    }

    /** Endpoints in a map. */
    public static final class MemoryEndpoints implements WebhookEndpointStore {
        private final Map<String, WebhookEndpoint> map = new LinkedHashMap<>();

        @Override
        public synchronized WebhookEndpoint create(WebhookEndpoint e) {
            if (map.putIfAbsent(e.id(), e) != null) {
                throw new IllegalArgumentException("exists: " + e.id());
            }
            return e;
        }

        @Override
        public synchronized Optional<WebhookEndpoint> find(String id) {
            return Optional.ofNullable(map.get(id));
        }

        @Override
        public synchronized List<WebhookEndpoint> list() {
            return new ArrayList<>(map.values());
        }

        @Override
        public synchronized Optional<WebhookEndpoint> update(WebhookEndpoint e) {
            if (!map.containsKey(e.id())) {
                return Optional.empty();
            }
            map.put(e.id(), e);
            return Optional.of(e);
        }

        @Override
        public synchronized boolean delete(String id) {
            return map.remove(id) != null;
        }
    }

    /** An endpoint registered now with this secret. */
    public static WebhookEndpoint endpoint(String id, String url, String secret, Instant now) {
        return new WebhookEndpoint(id, url, secret, Optional.empty(), Optional.empty(), Set.of(), Set.of(), "", true, 0,
                Optional.empty(), now, now);
    }

    /** A context over fresh fakes. */
    public static TestChannelContext context(Map<String, String> config, WebhookEndpointStore store, Clock clock) {
        return TestChannelContext.builder("webhook").config(config).json(new YassonJson()).webhookEndpoints(store)
                .clock(clock).build();
    }
}
