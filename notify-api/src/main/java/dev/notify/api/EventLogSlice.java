package dev.notify.api;

import java.util.List;

/**
 * The answer to "what happened after sequence N": the entries in order, the latest sequence
 * of the whole log, and whether retention already pruned entries that the reader missed.
 *
 * @param entries the matching entries, ascending by sequence
 * @param latestSequence the newest sequence in the log (0 when empty); a reader that got no
 *        entries may resume after it
 * @param pruned true when entries after the requested sequence were already removed by
 *        retention, so the reader has a gap it cannot fill from the log
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record EventLogSlice(List<EventLogEntry> entries, long latestSequence, boolean pruned) {

    /** Copies the entries. */
    public EventLogSlice {
        entries = List.copyOf(entries);
    }
}
