package dev.notify.channel.ws.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where recently closed connections' clients were: the last id each acknowledged and its topics,
 * kept for a while so that a reconnect can {@code resume} by {@code client_id} and receive
 * everything the old connection sent without acknowledgement. Bounded in size and age; per
 * process (a client that reconnects to another node resumes with {@code after} instead).
 */
final class ResumeLedger {

    /** A closed connection's position. */
    record Position(String userId, long ackedThrough, Set<String> topics, long expiresAtMillis) {
    }

    private final int capacity;
    private final long ttlMillis;
    private final LinkedHashMap<String, Position> positions;

    ResumeLedger(int capacity, long ttlMillis) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.positions = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Position> eldest) {
                return size() > ResumeLedger.this.capacity;
            }
        };
    }

    synchronized void put(String clientId, String userId, long ackedThrough, Set<String> topics, long nowMillis) {
        if (capacity == 0) {
            return;
        }
        positions.put(clientId, new Position(userId, ackedThrough, Set.copyOf(topics), nowMillis + ttlMillis));
    }

    /** The position of that user's closed connection, removed from the ledger; empty when unknown, expired or another user's. */
    synchronized Optional<Position> take(String clientId, String userId, long nowMillis) {
        Position p = positions.get(clientId);
        if (p == null || !p.userId().equals(userId)) {
            return Optional.empty();
        }
        positions.remove(clientId);
        return p.expiresAtMillis() > nowMillis ? Optional.of(p) : Optional.empty();
    }

    /** Drops expired positions. */
    synchronized void expire(long nowMillis) {
        positions.values().removeIf(p -> p.expiresAtMillis() <= nowMillis);
    }

    synchronized int size() {
        return positions.size();
    }
}
