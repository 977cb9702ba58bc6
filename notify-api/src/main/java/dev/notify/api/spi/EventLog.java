package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.EventLogSlice;

import java.util.Set;

/** Read access to the event log, for stream channels that replay what a client missed. */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface EventLog {

    /**
     * The entries after {@code afterSequence} for this user and these topics (topics or
     * {@code prefix*} patterns), oldest first, at most {@code limit}.
     *
     * @throws IllegalArgumentException when {@code afterSequence} is negative or {@code limit} not positive
     */
    EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit);

    /** The newest sequence in the log, 0 when it is empty. */
    long latestSequence();
}
