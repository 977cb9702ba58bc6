package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.WebhookEndpoint;

import java.util.List;
import java.util.Optional;

/** The registry of webhook endpoints. */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public interface WebhookEndpointStore {

    /**
     * Stores a new endpoint.
     *
     * @throws IllegalArgumentException when an endpoint with that id exists
     */
    WebhookEndpoint create(WebhookEndpoint endpoint);

    /** The endpoint with this id. */
    Optional<WebhookEndpoint> find(String id);

    /** Every endpoint, oldest first. */
    List<WebhookEndpoint> list();

    /**
     * Replaces an endpoint.
     *
     * @return the stored endpoint, or empty when there is none with that id
     */
    Optional<WebhookEndpoint> update(WebhookEndpoint endpoint);

    /** Deletes an endpoint; returns whether it existed. */
    boolean delete(String id);
}
