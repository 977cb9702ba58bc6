package dev.notify.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /**
     * This slice without the entries that a later entry of the same
     * {@linkplain Notification#collapseKey() collapse key} supersedes: what a reader that fell
     * behind needs, the newest event per key instead of the backlog. The last entry always stays
     * (nothing after it supersedes it), so a reader that resumes after the last entry it received
     * still resumes after this whole slice. Returns this slice when nothing collapses.
     */
    public EventLogSlice collapsed() {
        Set<String> seen = null;
        boolean[] superseded = null;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Optional<String> key = entries.get(i).notification().collapseKey();
            if (key.isEmpty()) {
                continue;
            }
            if (seen == null) {
                seen = new HashSet<>();
            }
            if (!seen.add(key.get())) {
                if (superseded == null) {
                    superseded = new boolean[entries.size()];
                }
                superseded[i] = true;
            }
        }
        if (superseded == null) {
            return this;
        }
        List<EventLogEntry> kept = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            if (!superseded[i]) {
                kept.add(entries.get(i));
            }
        }
        return new EventLogSlice(kept, latestSequence, pruned);
    }
}
