package dev.notify.api.spi;

import dev.notify.api.Api;

import java.util.Objects;

/**
 * What a node believes about a delivery it claimed, checked by the store in the same statement as
 * a write about that delivery (fencing): the delivery is still leased to {@code owner} with
 * {@code token}, and has had {@code attempts} attempts. A node paused past its lease (a long GC, a
 * SIGSTOP) whose delivery another node took over and attempted fails that check, so it cannot
 * overwrite what the new owner did; the store then changes nothing and the write answers "not found".
 *
 * @param owner the node id the delivery was leased to
 * @param token the token of that lease ({@link Lease#token()})
 * @param attempts the delivery's attempt count when it was claimed
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public record DeliveryClaim(String owner, long token, int attempts) {

    /** Validates the components. */
    public DeliveryClaim {
        Objects.requireNonNull(owner, "owner");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative, got " + attempts);
        }
    }
}
