package dev.notify.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DueWakeupsTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger claims = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(1_000_003));

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    @DisplayName("deliveries falling due in one bucket share one claim, run at the bucket's end")
    void wakeUpsInOneBucketShareOneClaim() throws InterruptedException {
        DueWakeups w = new DueWakeups(scheduler, claims::incrementAndGet, 100, 60_000, nanos::get);

        assertThat(w.wakeIn(10)).isTrue(); // 1,000,013 ms: the bucket ending at 1,000,100
        assertThat(w.wakeIn(50)).isTrue();
        assertThat(w.wakeIn(96)).isTrue();
        assertThat(w.scheduled()).isEqualTo(1);
        assertThat(w.wakeIn(97)).as("1,000,100 is the next bucket's").isTrue();
        assertThat(w.scheduled()).isEqualTo(2);

        awaitClaims(2);
        assertThat(w.scheduled()).isZero();
        assertThat(w.wakeIn(10)).as("a passed bucket is scheduled afresh").isTrue();
        awaitClaims(3);
    }

    private void awaitClaims(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (claims.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(claims.get()).isEqualTo(n);
    }

    @Test
    @DisplayName("beyond the horizon, or once the scheduler is shut down, the periodic claim takes it")
    void beyondTheHorizonNothingIsScheduled() {
        DueWakeups w = new DueWakeups(scheduler, claims::incrementAndGet, 10, 1_000, nanos::get);

        assertThat(w.wakeIn(1_001)).isFalse();
        assertThat(w.wakeIn(-1)).isFalse();
        assertThat(w.scheduled()).isZero();
        scheduler.shutdown();
        assertThat(w.wakeIn(500)).isFalse();
        assertThat(w.scheduled()).as("forgotten when refused").isZero();
        assertThatThrownBy(() -> new DueWakeups(scheduler, claims::incrementAndGet, 0, 10, nanos::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
