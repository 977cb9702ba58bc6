package dev.notify.server.internal;

import dev.notify.api.Identity;

import java.time.Instant;

/**
 * Who made an authenticated request: a publisher (API key) or a user (JWT or stream token).
 * The auth filter stores it as request attribute {@link #REQUEST_ATTRIBUTE}; for users it also
 * stores the {@link Identity} under {@link Identity#REQUEST_ATTRIBUTE}, which is what channels read.
 */
public sealed interface Caller permits Caller.Publisher, Caller.User {

    /** The request attribute under which the filter stores the caller. */
    String REQUEST_ATTRIBUTE = "dev.notify.server.caller";

    /**
     * A publisher.
     *
     * @param keyId a stable, non-secret id of the API key; the scope of its idempotency keys
     */
    record Publisher(String keyId) implements Caller {
    }

    /**
     * A user.
     *
     * @param identity the user id and topic grants
     * @param streamToken whether the credential was a short-lived stream token
     * @param expiresAt when the credential expires; a stream token minted from it expires no later
     */
    record User(Identity identity, boolean streamToken, Instant expiresAt) implements Caller {

        /** A user whose credential states no expiry of its own. */
        public User(Identity identity, boolean streamToken) {
            this(identity, streamToken, Instant.MAX);
        }
    }
}
