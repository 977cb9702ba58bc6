package dev.notify.testkit;

import dev.notify.api.Api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A UTC clock that moves only when a test says so, for retry schedules, leases, expiry and
 * timeouts without sleeping: pass it to {@code TestChannelContext.Builder.clock} or to the
 * engine's configuration, then {@link #advance(Duration)}. Safe to read from any thread.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class MutableClock extends Clock {

    private volatile Instant now;

    /** A clock standing at {@code 2030-01-01T00:00:00Z}. */
    public MutableClock() {
        this(Instant.parse("2030-01-01T00:00:00Z"));
    }

    /** A clock standing at {@code start}. */
    public MutableClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /**
     * Moves the clock forward.
     *
     * @throws IllegalArgumentException if {@code by} is negative: time in the code under test never runs backwards
     */
    public synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a clock only moves forward, not by " + by);
        }
        now = now.plus(by);
    }

    /** Sets the clock to {@code instant}; setting it back is allowed here, for tests of clock skew. */
    public void set(Instant instant) {
        this.now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** This clock: it always answers in UTC. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
