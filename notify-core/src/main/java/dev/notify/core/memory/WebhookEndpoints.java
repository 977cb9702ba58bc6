package dev.notify.core.memory;

import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.WebhookEndpointStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The webhook endpoints, listed in creation order. Owns the endpoints and calls nothing else of
 * the store; the facade hands it out as the store's {@link WebhookEndpointStore}. Endpoints are
 * few and rarely changed, so one lock is plenty.
 */
final class WebhookEndpoints implements WebhookEndpointStore {
    private final Map<String, Registered> endpoints = new HashMap<>();
    private long nextOrder;

    @Override
    public synchronized WebhookEndpoint create(WebhookEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoints.containsKey(endpoint.id())) {
            throw new IllegalArgumentException("a webhook endpoint with id " + endpoint.id() + " already exists");
        }
        endpoints.put(endpoint.id(), new Registered(endpoint, nextOrder++));
        return endpoint;
    }

    @Override
    public synchronized Optional<WebhookEndpoint> find(String id) {
        Registered r = id == null ? null : endpoints.get(id);
        return r == null ? Optional.empty() : Optional.of(r.endpoint);
    }

    @Override
    public synchronized List<WebhookEndpoint> list() {
        List<Registered> all = new ArrayList<>(endpoints.values());
        all.sort(Comparator.comparing((Registered r) -> r.endpoint.createdAt()).thenComparingLong(r -> r.order));
        List<WebhookEndpoint> out = new ArrayList<>(all.size());
        for (Registered r : all) {
            out.add(r.endpoint);
        }
        return out;
    }

    @Override
    public synchronized Optional<WebhookEndpoint> update(WebhookEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        Registered r = endpoints.get(endpoint.id());
        if (r == null) {
            return Optional.empty();
        }
        endpoints.put(endpoint.id(), new Registered(endpoint, r.order));
        return Optional.of(endpoint);
    }

    @Override
    public synchronized boolean delete(String id) {
        return id != null && endpoints.remove(id) != null;
    }

    private static final class Registered {
        final WebhookEndpoint endpoint;
        final long order;

        Registered(WebhookEndpoint endpoint, long order) {
            this.endpoint = endpoint;
            this.order = order;
        }
    }
}
