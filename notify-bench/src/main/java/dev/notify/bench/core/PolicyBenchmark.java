package dev.notify.bench.core;

import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Config;
import dev.notify.core.NotificationService;
import dev.notify.core.ServiceConfig;
import dev.notify.web.RateLimiter;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Publish throughput with preferences and rate limiting on and off, side by side in one run
 * (issue 19: within 10%). Each round is a fresh in-memory service with a no-op push channel that
 * delivers to users, 2 producers, 1,000 users; "on" means every tenth user has preferences (an
 * opt-out of marketing events on the inbox and quiet hours that are not now: evaluated on every
 * publish, suppressing nothing, so both sides deliver the same) and every publish first takes a
 * token of the server's publish limiter, set high enough never to refuse (what is measured is the
 * cost of the check, not a limit). Rounds alternate off/on, so drift on a shared machine hits both.
 *
 * <p>The in-memory store makes the engine's own cost as visible as it gets: behind a durable
 * store or HTTP the same work is a smaller share of each publish.
 */
public final class PolicyBenchmark {

    private static final int PER_ROUND = Integer.getInteger("bench.perRound", 200_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int WARM_UP = 2;
    private static final int PRODUCERS = 2;
    private static final int USERS = 1000;

    private PolicyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "Java %s, %d cores, max heap %d MiB, load %.1f%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        for (int round = 0; round < WARM_UP + ROUNDS; round++) {
            for (boolean enabled : new boolean[] {false, true}) {
                double rate = round(enabled);
                boolean measured = round >= WARM_UP;
                if (measured) {
                    (enabled ? on : off).add(rate);
                }
                System.out.printf(Locale.ROOT, "  round %d%s, preferences and rate limit %s: %,.0f notifications/s delivered%n",
                        round, measured ? "" : " (warm-up)", enabled ? "on " : "off", rate);
            }
        }
        off.sort(null);
        on.sort(null);
        double offMedian = off.get(off.size() / 2);
        double onMedian = on.get(on.size() / 2);
        System.out.printf(Locale.ROOT, "RESULT publish throughput, in-memory, %d producers, %d users: off median %,.0f/s (%,.0f-%,.0f),"
                        + " on median %,.0f/s (%,.0f-%,.0f): on is %.1f%% of off over %d rounds each%n",
                PRODUCERS, USERS, offMedian, off.get(0), off.get(off.size() - 1), onMedian, on.get(0), on.get(on.size() - 1),
                100 * onMedian / offMedian, ROUNDS);
    }

    private static double round(boolean enabled) throws Exception {
        CoreBenchmark.NoopChannel channel = new CoreBenchmark.NoopChannel(ChannelKind.PUSH);
        ServiceConfig config = ServiceConfig.builder().queueCapacity(PER_ROUND + 1)
                .config(Config.of(Map.of("preferences.enabled", Boolean.toString(enabled)))).build();
        RateLimiter limiter = enabled ? RateLimiter.perSecond("publish", 1e9, 1_000_000_000L) : null;
        try (NotificationService s = NotificationService.builder().config(config).channel(channel).build()) {
            if (enabled) {
                LocalTime later = LocalTime.ofInstant(Instant.now(), ZoneOffset.UTC).plusHours(12);
                Preferences p = new Preferences(false,
                        List.of(new Preferences.OptOut(List.of("marketing.*"), List.of(), Set.of(Preferences.INBOX), false)),
                        Optional.of(new Preferences.QuietHours(later, later.plusMinutes(1), ZoneOffset.UTC, false)));
                for (int u = 0; u < USERS; u += 10) {
                    s.preferences().set("user-" + u, p);
                }
            }
            channel.done = new CountDownLatch(PER_ROUND);
            long start = System.nanoTime();
            Thread[] producers = new Thread[PRODUCERS];
            for (int t = 0; t < PRODUCERS; t++) {
                producers[t] = new Thread(() -> {
                    for (int i = 0; i < PER_ROUND / PRODUCERS; i++) {
                        if (limiter != null && !limiter.take("bench-key", 1).allowed()) {
                            throw new IllegalStateException("the limiter refused; it is set never to");
                        }
                        s.notify(Notification.builder().recipient("user-" + (i % USERS)).event("task.progress").title("t").build());
                    }
                }, "producer-" + t);
                producers[t].start();
            }
            for (Thread t : producers) {
                t.join();
            }
            if (!channel.done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("not all delivered");
            }
            return PER_ROUND / ((System.nanoTime() - start) / 1e9);
        }
    }
}
