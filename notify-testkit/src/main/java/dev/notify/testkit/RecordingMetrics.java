package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.spi.Metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A {@link Metrics} that remembers what a channel reported, so a test can assert on it.
 * Thread-safe. Tags are part of a meter's identity, in the order given.
 *
 * <pre>{@code
 * RecordingMetrics metrics = new RecordingMetrics();
 * // ... exercise the channel ...
 * assertThat(metrics.counter("notify.webhook.sent", "endpoint", "ep1")).isEqualTo(1);
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class RecordingMetrics implements Metrics {

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, List<Duration>> timers = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();

    @Override
    public void count(String name, long amount, String... tags) {
        counters.computeIfAbsent(id(name, tags), k -> new LongAdder()).add(amount);
    }

    @Override
    public void time(String name, Duration duration, String... tags) {
        List<Duration> list = timers.computeIfAbsent(id(name, tags), k -> new ArrayList<>());
        synchronized (list) {
            list.add(duration);
        }
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        gauges.put(id(name, tags), value);
    }

    /** The sum of a counter; 0 when it was never incremented. */
    public long counter(String name, String... tags) {
        LongAdder a = counters.get(id(name, tags));
        return a == null ? 0 : a.sum();
    }

    /** Every duration recorded in a timer, in order. */
    public List<Duration> timings(String name, String... tags) {
        List<Duration> list = timers.get(id(name, tags));
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** The current value of a registered gauge, or null when none was registered. */
    public Number gauge(String name, String... tags) {
        Supplier<Number> s = gauges.get(id(name, tags));
        return s == null ? null : s.get();
    }

    private static String id(String name, String... tags) {
        return tags.length == 0 ? name : name + Arrays.toString(tags);
    }
}
