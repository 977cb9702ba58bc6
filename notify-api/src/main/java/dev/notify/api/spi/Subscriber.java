package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.EventLogEntry;

/**
 * A live connection's receiving end. Called from publishing threads: implementations must not
 * block; they queue into a bounded buffer and close themselves when a reader is too slow.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Subscriber {

    /** A new event for this connection. */
    void onEvent(EventLogEntry entry);

    /** A signal for this connection's user. */
    void onSignal(HubSignal signal);
}
