package dev.notify.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of notifications cancelled lately, so the tracker drops their queued jobs and the stream
 * tailer their live pushes (the store cancels the stored deliveries). Remembers the newest
 * {@value #MEMORY}; calls nothing.
 */
final class Cancellations {

    private static final int MEMORY = 65_536;

    private final Map<String, Boolean> cancelled = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MEMORY;
        }
    });
    // set on the first cancel: until then a delivery needs no look-up in the synchronized map above
    private volatile boolean any;

    void add(String notificationId) {
        any = true;
        cancelled.put(notificationId, Boolean.TRUE);
    }

    boolean contains(String notificationId) {
        return any && cancelled.containsKey(notificationId);
    }
}
