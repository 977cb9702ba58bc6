package dev.notify.api.spi;

import dev.notify.api.Api;

import java.util.Set;

/** A registration in the {@link SubscriberHub}; closing it unregisters the connection. */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Subscription extends AutoCloseable {

    /** The connection's client id. */
    String clientId();

    /** The topics currently subscribed. */
    Set<String> topics();

    /** Replaces the subscribed topics (callers check grants first). */
    void updateTopics(Set<String> topics);

    /** Unregisters. Idempotent; never throws. */
    @Override
    void close();
}
