package dev.notify.bench.soak;

import dev.notify.bench.BenchSupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes at a steady rate over the HTTP API from a few threads, each notification to one user,
 * one topic or the webhook topic, numbered per target by the {@link Ledger} and stamped with the
 * moment it was handed to the server ({@code data.soakNanos}, this JVM's {@code nanoTime}), so
 * every receiver in this process can measure publish-to-receive time and find gaps.
 */
final class Publishers {

    static final String EVENT_PREFIX = "soak.";
    static final String USER_EVENT = "soak.user";
    static final String TOPIC_EVENT = "soak.topic";
    static final String HOOK_EVENT = "soak.hook";

    private final URI endpoint;
    private final String apiKey;
    private final Ledger ledger;
    private final String[] users;
    private final int topics;
    private final double hookShare;
    private final ExecutorService pool;
    private final HttpClient http;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong next = new AtomicLong();
    private final AtomicInteger errorsShown = new AtomicInteger();
    private volatile boolean running = true;
    // set before the threads start, which makes them visible to them
    private long startNanos;
    private long intervalNanos;

    /**
     * @param users     the users, by the index the ledger counts them under
     * @param topics    topics {@code soak:t0..} that have subscribers
     * @param hookShare the share of publishes that go to the webhook topic
     */
    Publishers(URI base, String apiKey, Ledger ledger, String[] users, int topics, double hookShare, int threadCount) {
        this.endpoint = base.resolve("/api/v1/notifications");
        this.apiKey = apiKey;
        this.ledger = ledger;
        this.users = users;
        this.topics = topics;
        this.hookShare = hookShare;
        this.pool = Executors.newFixedThreadPool(2, BenchSupport.daemon("soak-publish-io"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < threadCount; i++) {
            threads.add(BenchSupport.daemon("soak-publisher-" + i).newThread(this::publishLoop));
        }
    }

    /** Starts publishing {@code rate} notifications per second until {@link #stop()}. */
    void start(int rate) {
        intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        startNanos = System.nanoTime();
        threads.forEach(Thread::start);
    }

    // each thread takes the next slot of the schedule; a thread that is late publishes at once (the schedule catches up)
    private void publishLoop() {
        while (running) {
            long slot = next.getAndIncrement();
            long wait = startNanos + slot * intervalNanos - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (running) {
                publishOne();
            }
        }
    }

    private void publishOne() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        String target;
        int seq;
        String head;
        if (rnd.nextDouble() < hookShare) {
            seq = ledger.nextForHooks();
            target = "h";
            head = "{\"topic\":\"" + Ledger.HOOK_TOPIC + "\",\"event\":\"" + HOOK_EVENT + "\"";
        } else if (topics == 0 || rnd.nextBoolean()) {
            int u = rnd.nextInt(users.length);
            seq = ledger.nextForUser(u);
            target = "u" + u;
            head = "{\"recipients\":[\"" + users[u] + "\"],\"event\":\"" + USER_EVENT + "\"";
        } else {
            int t = rnd.nextInt(topics);
            seq = ledger.nextForTopic(t);
            target = "t" + t;
            head = "{\"topic\":\"" + Subscriber.topicName(t) + "\",\"event\":\"" + TOPIC_EVENT + "\"";
        }
        String body = head + ",\"data\":{\"soakSeq\":" + seq + ",\"soakNanos\":" + System.nanoTime() + "}}";
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) {
                refused(target, seq, "publish answered " + r.statusCode() + ": " + r.body());
            } else {
                ledger.published.increment();
            }
        } catch (java.io.IOException e) {
            refused(target, seq, "publish failed: " + e);
        } catch (InterruptedException e) {
            refused(target, seq, "publish interrupted");
            Thread.currentThread().interrupt();
        }
    }

    private void refused(String target, int seq, String why) {
        ledger.refused(target, seq);
        if (errorsShown.incrementAndGet() <= 10) {
            System.out.println("   " + why);
        }
    }

    /** Stops publishing and waits for the publishes in flight. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(40));
        }
        pool.shutdownNow();
    }

    /** The soak's stamp in a notification's data: its number for its target and when it was published. */
    record Stamp(int seq, long publishedAtNanos) {

        /** Reads the stamp from JSON text holding {@code "soakSeq":N} and {@code "soakNanos":N}. */
        static Stamp of(String json) {
            return new Stamp((int) number(json, "\"soakSeq\":"), number(json, "\"soakNanos\":"));
        }

        private static long number(String json, String key) {
            int i = json.indexOf(key);
            if (i < 0) {
                throw new IllegalArgumentException("no " + key + " in " + json);
            }
            int from = i + key.length();
            int to = from;
            if (to < json.length() && json.charAt(to) == '-') {
                to++;
            }
            while (to < json.length() && Character.isDigit(json.charAt(to))) {
                to++;
            }
            return Long.parseLong(json.substring(from, to));
        }
    }
}
