package dev.notify.bench.soak;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What was published to whom, so that every receiver can tell what it missed. Each target (a
 * user, a topic, the webhook topic) numbers its notifications 1, 2, 3, ... in the order they were
 * handed to the server; a receiver's gaps are the numbers it never saw. A publish the server
 * refused is remembered, so its number is not counted as lost.
 */
final class Ledger {

    /** The webhook endpoints' topic: no stream subscribes to it. */
    static final String HOOK_TOPIC = "soak:hooks";

    private final AtomicIntegerArray perUser;
    private final AtomicIntegerArray perTopic;
    private final AtomicInteger hooks = new AtomicInteger();
    // "u3:17", "t5:2", "h:9": refused publishes (rare: a 429 or 5xx from the server, a timeout)
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    final LongAdder published = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder drops = new LongAdder();
    final Window streamLatency = new Window();
    final Window hookLatency = new Window();

    Ledger(int users, int topics) {
        perUser = new AtomicIntegerArray(users);
        perTopic = new AtomicIntegerArray(Math.max(1, topics));
    }

    int nextForUser(int user) {
        return perUser.incrementAndGet(user);
    }

    int nextForTopic(int topic) {
        return perTopic.incrementAndGet(topic);
    }

    int nextForHooks() {
        return hooks.incrementAndGet();
    }

    void refused(String target, int seq) {
        refused.add(target + ":" + seq);
    }

    /** Numbers 1..published of {@code target} that are neither in {@code seen} nor refused. */
    int missing(String target, int publishedCount, BitSet seen) {
        int got = seen.get(1, publishedCount + 1).cardinality();
        int missing = publishedCount - got;
        if (missing > 0 && !refused.isEmpty()) {
            for (int k = seen.nextClearBit(1); k <= publishedCount; k = seen.nextClearBit(k + 1)) {
                if (refused.contains(target + ":" + k)) {
                    missing--;
                }
            }
        }
        return missing;
    }

    int publishedToUser(int user) {
        return perUser.get(user);
    }

    int publishedToTopic(int topic) {
        return perTopic.get(topic);
    }

    int publishedToHooks() {
        return hooks.get();
    }

    int refusedCount() {
        return refused.size();
    }

    /** Latencies (nanoseconds) of one sampling interval, taken by the sampler. */
    static final class Window {
        private long[] values = new long[4096];
        private int size;

        synchronized void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        /** The interval's latencies, sorted; the window starts empty again. */
        synchronized long[] drain() {
            long[] out = Arrays.copyOf(values, size);
            size = 0;
            if (values.length > 1 << 20) {
                values = new long[4096];
            }
            Arrays.sort(out);
            return out;
        }
    }
}
