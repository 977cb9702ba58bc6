package dev.notify.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Time arithmetic for the delivery loop, in nanoseconds instead of {@link java.time.Duration}s:
 * it runs once per delivery, where a {@code Duration} (or a capturing lambda around one) is an
 * allocation the push core measurably paid for (issue 12's side-by-side runs).
 */
final class Instants {

    /** The magnitude standing for "further than that": a quarter of the range of a long, ~73 years. */
    static final long FAR = Long.MAX_VALUE / 4;
    private static final long MAX_SECONDS = FAR / 1_000_000_000L;

    private Instants() {
    }

    /**
     * Nanoseconds from {@code from} to {@code to} (negative when {@code to} is earlier); beyond ~73
     * years either way, {@link #FAR}, so that adding or subtracting a timeout cannot overflow.
     */
    static long nanosBetween(Instant from, Instant to) {
        long seconds = to.getEpochSecond() - from.getEpochSecond();
        if (Math.abs(seconds) >= MAX_SECONDS) {
            return seconds > 0 ? FAR : -FAR;
        }
        return seconds * 1_000_000_000L + (to.getNano() - from.getNano());
    }

    /** The duration in nanoseconds, or {@link #FAR} when longer (a configured "forever"). */
    static long nanos(Duration d) {
        return d.getSeconds() >= MAX_SECONDS ? FAR : d.toNanos();
    }
}
