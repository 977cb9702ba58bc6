package dev.notify.api.spi;

import dev.notify.api.Api;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Metrics the host exports (Prometheus text on the server). Names are dotted
 * ({@code notify.webhook.endpoints.disabled}); tags are key/value pairs given as alternating
 * strings ({@code "channel", "sse"}).
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Metrics {

    /** Adds {@code amount} to a counter. */
    void count(String name, long amount, String... tags);

    /** Records one duration in a timer. */
    void time(String name, Duration duration, String... tags);

    /** Registers a gauge read from {@code value} whenever metrics are scraped. */
    void gauge(String name, Supplier<Number> value, String... tags);
}
