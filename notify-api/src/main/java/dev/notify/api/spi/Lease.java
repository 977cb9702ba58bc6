package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Instant;
import java.util.Objects;

/**
 * A claim on deliveries by one engine instance (node), valid until {@code until}. After that,
 * another node may claim them again: that is how the deliveries of a node that died are taken over.
 *
 * @param owner the claiming node's id
 * @param until when the claim lapses
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Lease(String owner, Instant until) {

    /** Validates the components. */
    public Lease {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(until, "until");
    }
}
