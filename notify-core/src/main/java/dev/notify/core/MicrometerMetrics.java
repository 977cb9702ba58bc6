package dev.notify.core;

import dev.notify.api.spi.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;

/** {@link Metrics} on a Micrometer registry, so the server can export it as Prometheus text. */
final class MicrometerMetrics implements Metrics {

    private final MeterRegistry registry;

    MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void count(String name, long amount, String... tags) {
        registry.counter(name, Tags.of(tags)).increment(amount);
    }

    @Override
    public void time(String name, Duration duration, String... tags) {
        Timer.builder(name).tags(tags).publishPercentiles(0.5, 0.99).register(registry).record(duration);
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        Gauge.builder(name, () -> {
            Number n = value.get();
            return n == null ? Double.NaN : n.doubleValue();
        }).tags(tags).strongReference(true).register(registry);
    }
}
