package dev.notify.core.memory;

import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;
import dev.notify.api.TopicPatterns;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.Retention;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The event log: entries in sequence order, indexed by user and by topic, read after a sequence
 * and pruned from the start.
 *
 * <p>Owns the sequences, the whole log and its per-user and per-topic {@link SequenceIndex}es.
 * It calls nothing else of the store: {@link Publisher} appends, the facade reads and prunes.
 *
 * <p>Appends and removals take {@link #logLock}, the store's only global lock, because sequences
 * must become visible in order: a reader that saw sequence 7 must never later find a 6 it
 * skipped. Readers take no lock; they trust sequences only up to {@link #publishedSequence},
 * which an append raises once its entries are in every index.
 */
final class EventLogTable {

    private final ReentrantLock logLock = new ReentrantLock();
    // the whole log in sequence order, for pruning and for readAll; appended under logLock
    private final SequenceIndex log = new SequenceIndex();
    private final ConcurrentHashMap<String, SequenceIndex> logByUser = new ConcurrentHashMap<>();
    // sorted by topic so that a prefix pattern is a range scan, not a walk over every topic
    private final ConcurrentSkipListMap<String, SequenceIndex> logByTopic = new ConcurrentSkipListMap<>();
    private long nextSequence = 1; // guarded by logLock
    // readers only trust sequences up to this one, so a half-finished append is never seen
    private volatile long publishedSequence;
    private volatile long prunedThrough;

    /**
     * Appends the entries of every request that is not a duplicate, in one hold of the log lock,
     * and publishes their sequences; returns each request's entries (empty for a duplicate).
     */
    List<List<EventLogEntry>> append(List<PublishRequest> requests, Notification[] duplicateOf) {
        List<List<EventLogEntry>> out = new ArrayList<>(requests.size());
        logLock.lock();
        try {
            for (int i = 0; i < requests.size(); i++) {
                PublishRequest r = requests.get(i);
                if (duplicateOf[i] != null || r.audiences().isEmpty()) {
                    out.add(List.of());
                    continue;
                }
                List<EventLogEntry> entries = new ArrayList<>(r.audiences().size());
                for (Audience audience : r.audiences()) {
                    EventLogEntry e = new EventLogEntry(nextSequence++, audience, r.notification());
                    log.append(e);
                    index(e).append(e);
                    entries.add(e);
                }
                // immutable: the result keeps it without a copy
                out.add(entries.size() == 1 ? List.of(entries.get(0)) : entries);
            }
            publishedSequence = nextSequence - 1;
        } finally {
            logLock.unlock();
        }
        return out;
    }

    // called under logLock, as is every removal from these maps: a get first spares computeIfAbsent's bin lock
    private SequenceIndex index(EventLogEntry e) {
        if (e.audience() instanceof Audience.User) {
            String user = ((Audience.User) e.audience()).userId();
            SequenceIndex index = logByUser.get(user);
            return index != null ? index : logByUser.computeIfAbsent(user, u -> new SequenceIndex());
        }
        String topic = ((Audience.Topic) e.audience()).topic();
        SequenceIndex index = logByTopic.get(topic);
        return index != null ? index : logByTopic.computeIfAbsent(topic, t -> new SequenceIndex());
    }

    EventLogSlice readAfter(long afterSequence, String userId, Set<String> topics, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must not be negative, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        Objects.requireNonNull(topics, "topics");
        long latest = publishedSequence;
        boolean pruned = afterSequence < prunedThrough;
        if (afterSequence >= latest) {
            return new EventLogSlice(List.of(), latest, pruned);
        }
        // each source is ordered; the first `limit` of each are enough to find the first `limit` overall
        TreeMap<Long, EventLogEntry> merged = new TreeMap<>();
        if (userId != null) {
            SequenceIndex index = logByUser.get(userId);
            if (index != null) {
                index.take(afterSequence, latest, limit, merged);
            }
        }
        for (String topic : topics) {
            if (topic.endsWith("*")) {
                String prefix = topic.substring(0, topic.length() - 1);
                NavigableMap<String, SequenceIndex> matching = prefix.isEmpty()
                        ? logByTopic
                        : logByTopic.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
                for (Map.Entry<String, SequenceIndex> e : matching.entrySet()) {
                    if (TopicPatterns.matches(topic, e.getKey())) {
                        e.getValue().take(afterSequence, latest, limit, merged);
                    }
                }
            } else {
                SequenceIndex index = logByTopic.get(topic);
                if (index != null) {
                    index.take(afterSequence, latest, limit, merged);
                }
            }
        }
        List<EventLogEntry> entries = new ArrayList<>(Math.min(limit, merged.size()));
        for (EventLogEntry e : merged.values()) {
            if (entries.size() == limit) {
                break;
            }
            entries.add(e);
        }
        return new EventLogSlice(entries, latest, pruned);
    }

    EventLogSlice readAll(long afterSequence, int limit) {
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must not be negative, got " + afterSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        long latest = publishedSequence;
        boolean pruned = afterSequence < prunedThrough;
        if (afterSequence >= latest) {
            return new EventLogSlice(List.of(), latest, pruned);
        }
        return new EventLogSlice(log.range(afterSequence, latest, limit), latest, pruned);
    }

    long latestSequence() {
        return publishedSequence;
    }

    /**
     * Removes entries from the start of the log while they are older than the retention allows
     * or more than {@link Retention#eventMaxCount()} are kept; returns how many it removed.
     */
    long prune(Instant now, Retention retention) {
        // a removed notification's entries go with it, as they do in a store that joins them
        Instant eventCutoff = now.minus(min(retention.eventMaxAge(), retention.notificationMaxAge()));
        long removed = 0;
        logLock.lock();
        try {
            long highestRemoved = prunedThrough;
            while (!log.isEmpty()) {
                EventLogEntry e = log.head();
                boolean tooOld = e.notification().createdAt().isBefore(eventCutoff);
                if (!tooOld && log.size() <= retention.eventMaxCount()) {
                    break;
                }
                log.removeHead(e.sequence());
                unindex(e);
                removed++;
                highestRemoved = e.sequence();
            }
            prunedThrough = highestRemoved;
        } finally {
            logLock.unlock();
        }
        return removed;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void unindex(EventLogEntry e) {
        if (e.audience() instanceof Audience.User) {
            String user = ((Audience.User) e.audience()).userId();
            SequenceIndex m = logByUser.get(user);
            if (m != null) {
                m.removeHead(e.sequence());
                // appends also hold logLock, so nobody adds to this map while we drop it
                if (m.isEmpty()) {
                    logByUser.remove(user, m);
                }
            }
        } else {
            String topic = ((Audience.Topic) e.audience()).topic();
            SequenceIndex m = logByTopic.get(topic);
            if (m != null) {
                m.removeHead(e.sequence());
                if (m.isEmpty()) {
                    logByTopic.remove(topic, m);
                }
            }
        }
    }

}
