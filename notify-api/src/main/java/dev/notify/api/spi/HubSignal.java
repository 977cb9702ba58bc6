package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.InboxStats;

import java.util.Objects;

/** Something other than an event that every stream connection of a user should learn. */
@Api(status = Api.Status.STABLE, since = "0.1")
public sealed interface HubSignal permits HubSignal.StatsChanged, HubSignal.ShuttingDown {

    /**
     * The user's inbox counts changed (publish, read, unread, delete).
     *
     * @param stats the new counts
     */
    record StatsChanged(InboxStats stats) implements HubSignal {
        /** Validates the stats. */
        public StatsChanged {
            Objects.requireNonNull(stats, "stats");
        }
    }

    /**
     * The host is shutting down; connections should say so to their clients and close.
     *
     * @param reason a human-readable reason
     */
    record ShuttingDown(String reason) implements HubSignal {
        /** Validates the reason. */
        public ShuttingDown {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
