package dev.notify.core.memory;

import dev.notify.api.Priority;

import java.time.Instant;

/**
 * A claimable delivery's place in the queue. Compared by identity of the delivery's current
 * key, so a key left behind by a concurrent change can never be claimed.
 */
final class DueKey implements Comparable<DueKey> {
    final int urgency; // higher is more urgent
    final Instant dueAt;
    final long id;

    DueKey(Priority priority, Instant dueAt, long id) {
        this(priority.ordinal(), dueAt, id);
    }

    private DueKey(int urgency, Instant dueAt, long id) {
        this.urgency = urgency;
        this.dueAt = dueAt;
        this.id = id;
    }

    static DueKey first(Priority p) {
        return new DueKey(p.ordinal(), Instant.MIN, Long.MIN_VALUE);
    }

    static DueKey last(Priority p, Instant now) {
        return new DueKey(p.ordinal(), now, Long.MAX_VALUE);
    }

    @Override
    public int compareTo(DueKey o) {
        if (urgency != o.urgency) {
            return urgency > o.urgency ? -1 : 1;
        }
        int c = dueAt.compareTo(o.dueAt);
        return c != 0 ? c : Long.compare(id, o.id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DueKey && compareTo((DueKey) o) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }
}
