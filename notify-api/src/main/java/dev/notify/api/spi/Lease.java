package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Instant;
import java.util.Objects;

/**
 * A claim on deliveries by one engine instance (node), valid until {@code until}. After that,
 * another node may claim them again: that is how the deliveries of a node that died are taken over.
 *
 * <p>The {@code token} tells one life of a node from another (a node restarted under the same id,
 * or paused past its lease and resumed, holds a different token from the one its old claims carry):
 * a store keeps it with the claimed delivery, and fenced writes ({@link DeliveryClaim}) check it.
 *
 * @param owner the claiming node's id
 * @param until when the claim lapses
 * @param token the claimer's fencing token; 0 when the claimer does not fence its writes
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Lease(String owner, Instant until, long token) {

    /** Validates the components. */
    public Lease {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(until, "until");
    }

    /** A lease without a fencing token, as before fencing existed. */
    public Lease(String owner, Instant until) {
        this(owner, until, 0);
    }
}
