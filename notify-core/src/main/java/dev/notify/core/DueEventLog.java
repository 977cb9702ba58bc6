package dev.notify.core;

import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.NotificationStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The event log as stream channels read it for replay: the store's log without the entries of
 * notifications scheduled for later, which reach clients when they are due, and without the
 * entries a later entry of the same collapse key supersedes ({@link EventLogSlice#collapsed()}):
 * a client that is behind gets the newest event per key instead of the backlog. Calls only the store.
 */
final class DueEventLog implements EventLog {

    private final NotificationStore store;
    private final Clock clock;

    DueEventLog(NotificationStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        return dueOnly(store.readAfter(afterSequence, userId, topics, limit)).collapsed();
    }

    private EventLogSlice dueOnly(EventLogSlice s) {
        Instant now = clock.instant();
        boolean early = false;
        for (EventLogEntry e : s.entries()) {
            if (e.notification().scheduledAt().filter(now::isBefore).isPresent()) {
                early = true;
                break;
            }
        }
        if (!early) {
            return s;
        }
        List<EventLogEntry> due = new ArrayList<>();
        for (EventLogEntry e : s.entries()) {
            if (e.notification().scheduledAt().filter(now::isBefore).isEmpty()) {
                due.add(e);
            }
        }
        return new EventLogSlice(due, s.latestSequence(), s.pruned());
    }

    @Override
    public long latestSequence() {
        return store.latestSequence();
    }
}
