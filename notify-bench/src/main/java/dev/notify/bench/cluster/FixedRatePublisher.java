package dev.notify.bench.cluster;

import dev.notify.bench.BenchSupport;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop publisher: sends request {@code i} at {@code start + i / rate} whatever the answers
 * to the earlier ones, with up to {@code maxInFlight} requests outstanding on an asynchronous
 * {@link HttpClient} of its own. A closed loop (a few threads, each waiting for its answer) offers
 * less the slower the server answers, which hides exactly the queueing a latency benchmark is after
 * (coordinated omission): here a slow server gets requests at the same pace, a late send is counted,
 * and the caller measures latency from the <em>scheduled</em> time it is given.
 *
 * <p>Only when {@code maxInFlight} requests are outstanding does the schedule wait for an answer;
 * those sends are counted as held back ({@link Result#heldBack}), and the latency from their scheduled
 * time includes the wait.
 */
final class FixedRatePublisher {

    /** Builds request {@code i}, scheduled at {@code scheduledNanos} ({@link System#nanoTime}); the caller notes the time. */
    @FunctionalInterface
    interface Requests {
        HttpRequest request(int i, long scheduledNanos);
    }

    /** Told of every answer that is not 202 (or of a failure, status -1), with the request's number. */
    @FunctionalInterface
    interface Refusals {
        void refused(int i, int status);
    }

    /**
     * What one run achieved.
     *
     * @param offeredRate the schedule's rate, per second
     * @param sent requests sent
     * @param accepted requests answered 202
     * @param refused answered otherwise, or failed
     * @param sentRate sends per second, from the first scheduled send to the last send
     * @param achievedRate accepted per second, from the first scheduled send to the last answer
     * @param heldBack sends that waited for a place because {@code maxInFlight} were outstanding
     * @param maxLagMillis the latest any send left after its scheduled time
     * @param maxOutstanding most requests outstanding at once
     * @param answerP50Millis median time from a send to its answer (the publish on the server, durable)
     * @param answerP99Millis its 99th percentile
     */
    record Result(int offeredRate, int sent, int accepted, int refused, double sentRate, double achievedRate, int heldBack,
                  double maxLagMillis, int maxOutstanding, double answerP50Millis, double answerP99Millis) {

        /** Whether the accepted rate fell more than 5% short of the offered one. */
        boolean short5Percent() {
            return achievedRate < offeredRate * 0.95;
        }

        /** One line for the benchmark's output. */
        String describe() {
            return String.format("offered %d/s, sent %d at %.0f/s, accepted %d at %.0f/s, refused %d, held back %d, max send lag %.1f ms, "
                    + "most in flight %d; answered after p50 %.1f ms, p99 %.1f ms", offeredRate, sent, sentRate, accepted, achievedRate, refused,
                    heldBack, maxLagMillis, maxOutstanding, answerP50Millis, answerP99Millis);
        }
    }

    private final HttpClient http;
    private final int maxInFlight;

    /** @param maxInFlight most requests outstanding at once, hence most connections the client opens */
    FixedRatePublisher(int maxInFlight) {
        this.maxInFlight = maxInFlight;
        // its own client and threads: the SSE streams' client is busy with their lines, and would delay the sends
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2, BenchSupport.daemon("bench-publish-io")))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Sends {@code rate * seconds} requests on the schedule and waits (at most 60 s) for the last answer. */
    Result run(int rate, int seconds, Requests requests, Refusals refusals) throws InterruptedException {
        int total = rate * seconds;
        Semaphore places = new Semaphore(maxInFlight);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger maxOutstanding = new AtomicInteger();
        AtomicLong lastAnswer = new AtomicLong();
        long[] answerNanos = new long[total];
        int heldBack = 0;
        long maxLag = 0;
        long lastSend = 0;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int i = 0; i < total; i++) {
            long at = start + (long) (i * 1e9 / rate);
            for (long wait = at - System.nanoTime(); wait > 0; wait = at - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            if (!places.tryAcquire()) {
                heldBack++;
                places.acquire();
            }
            HttpRequest req = requests.request(i, at);
            long now = System.nanoTime();
            maxLag = Math.max(maxLag, now - at);
            lastSend = now;
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            int n = i;
            long sentAt = now;
            http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                answerNanos[n] = System.nanoTime() - sentAt; // read after every place is back, which orders the writes before
                outstanding.decrementAndGet();
                if (e == null && r.statusCode() == 202) {
                    accepted.incrementAndGet();
                } else {
                    refused.incrementAndGet();
                    refusals.refused(n, e == null ? r.statusCode() : -1);
                }
                lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
                places.release();
            });
        }
        if (!places.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
            System.out.println("!! " + (maxInFlight - places.availablePermits()) + " publishes still unanswered 60 s after the last send");
        } else {
            places.release(maxInFlight);
        }
        long[] answers = answerNanos.clone();
        java.util.Arrays.sort(answers);
        double sendSpan = Math.max(1, lastSend - start) / 1e9;
        double answerSpan = Math.max(1, lastAnswer.get() - start) / 1e9;
        return new Result(rate, total, accepted.get(), refused.get(), total / sendSpan, accepted.get() / answerSpan, heldBack,
                maxLag / 1e6, maxOutstanding.get(), BenchSupport.percentileMillisOfSorted(answers, 50),
                BenchSupport.percentileMillisOfSorted(answers, 99));
    }
}
