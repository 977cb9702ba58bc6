package dev.notify.server.channels;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.notify.server.ServerProcess;
import dev.notify.server.TestServer;
import dev.notify.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three real server processes ({@code java -jar notify-server.jar}) on one throw-away PostgreSQL,
 * as an operator runs them. The stream poll is set to 5 s, so whatever crosses nodes faster came
 * through the cluster signal (LISTEN/NOTIFY); leases are 3 s so that take-overs fit a test.
 * The cases run in order on the same cluster; the later ones kill, pause and cut off nodes.
 * {@link RedisClusterIT} runs them all again with Redis pub/sub as the signal engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("three nodes on one PostgreSQL")
class ClusterIT {

    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");
    private static final Pattern UNREAD = Pattern.compile("\"unread\"\\s*:\\s*(\\d+)");

    private final HttpClient http = SseClient.http();
    final List<Node> nodes = new ArrayList<>();
    private PostgresServer postgres;
    private Path tmp;

    /** One server process, which a test may stop and start again with the same command. */
    static final class Node {
        final String id;
        final List<String> command;
        final Path dir;
        volatile ServerProcess process;
        volatile URI base;

        Node(String id, List<String> command, Path dir) {
            this.id = id;
            this.command = command;
            this.dir = dir;
            this.process = ServerProcess.start(command, dir);
        }

        URI uri(String path) {
            return base.resolve(path);
        }
    }

    @BeforeAll
    void startThreeNodes() throws Exception {
        Path jar = Path.of("target", "notify-server.jar").toAbsolutePath();
        assumeTrue(Files.isRegularFile(jar), jar + " is built by 'mvn package'");
        postgres = PostgresServer.startOwn(Path.of("target", postgresDirectory()));
        String db = postgres.createDatabase();
        tmp = Files.createTempDirectory("notify-cluster");
        for (String id : List.of("node-a", "node-b", "node-c")) {
            Path dir = Files.createDirectories(tmp.resolve(id));
            nodes.add(new Node(id, command(ServerProcess.java(), "-Xmx256m", "-jar", jar.toString(),
                    "--port", "0", "--host", "127.0.0.1", "--data-dir", dir.toString(), "--db-url", db,
                    "--api-key", TestServer.API_KEY, "--jwt-secret", TestServer.JWT_SECRET, "--node-id", id,
                    "--webhook-allow-private-networks", "--access-log=false", "--shutdown-timeout", "5s",
                    "--set", "cluster.lease=" + LEASE.toSeconds() + "s", "--set", "cluster.claim-interval=250ms",
                    "--set", "cluster.stream-poll-interval=5s", engineArgs()), dir));
        }
        for (Node n : nodes) {
            n.base = n.process.awaitListening(START);
        }
    }

    /** The flags of the signal engine under test on top of the PostgreSQL ones: none, LISTEN/NOTIFY is the default. */
    List<String> engineArgs() {
        return List.of();
    }

    /** Where under target/ the PostgreSQL server of this class lives (one per class: both may run in one JVM). */
    String postgresDirectory() {
        return "postgres-cluster";
    }

    /** How the node registry names the signal engine under test. */
    String engineDescription() {
        return "postgres LISTEN/NOTIFY";
    }

    private static List<String> command(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add((String) x));
            } else {
                out.add((String) p);
            }
        }
        return out;
    }

    @AfterAll
    void stopEverything() {
        for (Node n : nodes) {
            n.process.close();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    Node a() {
        return nodes.get(0);
    }

    Node b() {
        return nodes.get(1);
    }

    Node c() {
        return nodes.get(2);
    }

    // ---- live events across nodes -------------------------------------------------------------------

    @Test
    @Order(0)
    @DisplayName("every node is in the registry of every other, each metric names its node, and the signal engine is the configured one")
    void nodesSeeEachOther() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String body;
        do {
            body = nodesOf(b()).body();
        } while ((count(body, "\"state\":\"live\"") < 3 || !body.contains("node-a") || !body.contains("node-c"))
                && System.nanoTime() < deadline && sleep(200));
        assertThat(body).contains("\"self\":\"node-b\"", "\"nodeId\":\"node-a\"", "\"nodeId\":\"node-c\"", engineDescription(),
                "\"address\":\"" + a().base.toString());
        assertThat(count(body, "\"state\":\"live\"")).isEqualTo(3);
        HttpResponse<String> asUser = send(HttpRequest.newBuilder(b().uri("/api/v1/admin/nodes")).header("Authorization", "Bearer " + jwt("u1")));
        assertThat(asUser.statusCode()).isEqualTo(403);

        String metrics = send(HttpRequest.newBuilder(a().uri("/metrics"))).body();
        assertThat(metrics).contains("node=\"node-a\"").contains("notify_cluster_signal_lag");
    }

    @Test
    @Order(1)
    @DisplayName("a client on node B gets what node A published, in order, once, within milliseconds")
    void liveEventsCrossNodes() throws Exception {
        try (SseClient onB = stream(b(), "u-live", null)) {
            List<Long> latencies = new ArrayList<>();
            long lastId = 0;
            for (int i = 0; i < 40; i++) {
                long t0 = System.nanoTime();
                publish(a(), "{\"recipients\":[\"u-live\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
                SseClient.Frame f = onB.nextEvent("task.progress");
                latencies.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0));
                assertThat(n(f.data())).isEqualTo(i);
                assertThat(Long.parseLong(f.id())).isGreaterThan(lastId);
                lastId = Long.parseLong(f.id());
            }
            Collections.sort(latencies);
            long p50 = latencies.get(latencies.size() / 2);
            long max = latencies.get(latencies.size() - 1);
            System.out.printf("cross-node publish on A -> SSE on B (includes the HTTP publish): p50 %.1f ms, max %.1f ms over %d%n",
                    p50 / 1000.0, max / 1000.0, latencies.size());
            // the stream poll is 5 s: only the signal gets an event across this fast
            assertThat(max).as("slowest cross-node event, µs").isLessThan(2_000_000);
        }
    }

    @Test
    @Order(2)
    @DisplayName("a client that leaves node B and resumes on node C with Last-Event-ID misses nothing and gets nothing twice")
    void resumeOnAnotherNode() throws Exception {
        String last;
        try (SseClient onB = stream(b(), "u-move", null)) {
            SseClient.Frame f = null;
            for (int i = 0; i < 10; i++) {
                publish(a(), "{\"recipients\":[\"u-move\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
                f = onB.nextEvent("task.progress");
                assertThat(n(f.data())).isEqualTo(i);
            }
            last = f.id();
        }
        for (int i = 10; i < 60; i++) {
            publish(a(), "{\"recipients\":[\"u-move\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
        }
        try (SseClient onC = stream(c(), "u-move", last)) {
            // more arrive while the replay hands over to live
            Thread publisher = new Thread(() -> {
                for (int i = 60; i < 90; i++) {
                    publish(a(), "{\"recipients\":[\"u-move\"],\"event\":\"task.progress\",\"data\":{\"n\":" + i + "}}");
                }
            });
            publisher.start();
            List<Integer> got = new ArrayList<>();
            while (got.isEmpty() || got.get(got.size() - 1) < 89) {
                got.add(n(onC.nextEvent("task.progress").data()));
            }
            publisher.join();
            assertThat(onC.poll(Duration.ofMillis(500))).as("nothing after the last").satisfiesAnyOf(
                    f -> assertThat(f).isNull(), f -> assertThat(f.isEvent() && "task.progress".equals(f.event())).isFalse());
            List<Integer> expected = new ArrayList<>();
            for (int i = 10; i < 90; i++) {
                expected.add(i);
            }
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    @Order(3)
    @DisplayName("mark read on node A reaches the user's stream on node B as stats")
    void readsCrossNodes() throws Exception {
        try (SseClient onB = stream(b(), "u-read", null)) {
            String id = publish(a(), "{\"recipients\":[\"u-read\"],\"event\":\"task.created\",\"title\":\"t\"}");
            onB.nextEvent("task.created");
            awaitUnread(onB, 1);

            HttpResponse<String> r = send(HttpRequest.newBuilder(a().uri("/api/v1/notifications/" + id))
                    .header("Authorization", "Bearer " + jwt("u-read")).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"read\":true}")));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

            awaitUnread(onB, 0);
        }
    }

    // ---- webhooks ------------------------------------------------------------------------------------

    @Test
    @Order(4)
    @DisplayName("webhooks published on all three nodes are delivered exactly once")
    void webhooksOnceAcrossTheCluster() throws Exception {
        try (Hooks hooks = new Hooks(Duration.ZERO)) {
            register(a(), hooks, "once.test");
            for (int i = 0; i < 60; i++) {
                publish(nodes.get(i % 3), "{\"topic\":\"hooks:once\",\"event\":\"once.test\",\"channels\":[\"webhook\"],\"data\":{\"n\":" + i + "}}");
            }
            hooks.awaitDistinct(60, Duration.ofSeconds(30));
            Thread.sleep(1500); // a duplicate would come now, if at all
            assertThat(hooks.distinct()).isEqualTo(60);
            assertThat(hooks.total()).as("deliveries in all").isEqualTo(60);
        }
    }

    @Test
    @Order(5)
    @DisplayName("a rolling restart under steady publishing: a client that reconnects with its cursor loses nothing and gets nothing twice")
    void rollingRestart() throws Exception {
        List<Integer> acknowledged = new CopyOnWriteArrayList<>();
        List<Integer> received = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicInteger reconnects = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            int node = 0;
            for (int i = 0; publishing.get(); i++) {
                // the same idempotency key on every try: a publish whose answer was lost is not stored twice
                String body = "{\"recipients\":[\"u-roll\"],\"event\":\"task.progress\",\"idempotencyKey\":\"roll-" + i
                        + "\",\"data\":{\"n\":" + i + "}}";
                while (true) {
                    Node target = nodes.get(node++ % 3);
                    try {
                        if (post(target, body).statusCode() == 202) {
                            acknowledged.add(i);
                            break;
                        }
                    } catch (RuntimeException e) {
                        // that node is restarting: try the next one
                    }
                }
                pause(40);
            }
        });
        Thread client = new Thread(() -> {
            String last = null;
            int node = 1;
            while (reading.get()) {
                Node target = nodes.get(node++ % 3);
                try (SseClient s = SseClient.connect(http, target.uri("/api/v1/notifications/stream"), jwt("u-roll"), last)) {
                    if (s.status() != 200) {
                        continue;
                    }
                    while (reading.get()) {
                        SseClient.Frame f = s.poll(Duration.ofMillis(200));
                        if (f == null) {
                            continue;
                        }
                        if (!f.isEvent() && "<end of stream>".equals(f.comment())) {
                            break;
                        }
                        if ("task.progress".equals(f.event())) {
                            received.add(n(f.data()));
                            last = f.id();
                        }
                    }
                } catch (RuntimeException e) {
                    // the node went away while connecting: the next one
                }
                reconnects.incrementAndGet();
                pause(100);
            }
        });
        publisher.start();
        client.start();
        try {
            for (Node node : nodes) {
                pause(1000);
                assertThat(node.process.terminate(Duration.ofSeconds(30))).as(node.process.output()).isZero();
                node.process = ServerProcess.start(node.command, node.dir);
                node.base = node.process.awaitListening(START);
            }
            pause(1000);
        } finally {
            publishing.set(false);
            publisher.join(30_000);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (received.size() < acknowledged.size() && System.nanoTime() < deadline) {
            pause(50);
        }
        reading.set(false);
        client.join(10_000);
        System.out.printf("rolling restart: %d notifications acknowledged, %d received by a client that reconnected %d times%n",
                acknowledged.size(), received.size(), reconnects.get());
        assertThat(received).as("in order, none missing, none twice").isEqualTo(acknowledged);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms); // pacing the publisher and the restarts, not waiting for a result
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @Order(6)
    @DisplayName("kill -9 of a node under webhook load: every accepted notification is delivered, taken over within the lease + 1 s")
    void killMinus9UnderLoad() throws Exception {
        try (Hooks hooks = new Hooks(Duration.ofMillis(60))) {
            register(a(), hooks, "kill.test");
            int count = 150;
            for (int i = 0; i < count; i++) {
                publish(c(), "{\"topic\":\"hooks:kill\",\"event\":\"kill.test\",\"channels\":[\"webhook\"],\"data\":{\"n\":" + i + "}}");
            }
            hooks.awaitArrivals(20, Duration.ofSeconds(30));
            long killedAt = System.nanoTime();
            c().process.process().destroyForcibly(); // SIGKILL
            c().process.process().waitFor(10, TimeUnit.SECONDS);
            int beforeKill = hooks.total();

            hooks.awaitDistinct(count, Duration.ofSeconds(40));
            long firstAfter = hooks.firstArrivalAfter(killedAt + TimeUnit.MILLISECONDS.toNanos(50));
            double takeover = (firstAfter - killedAt) / 1e9;
            int duplicates = hooks.total() - hooks.distinct();
            System.out.printf("kill -9 under webhook load: %d delivered before the kill, %d after; take-over after %.2f s "
                    + "(lease %d s); %d duplicate(s) (attempts in flight at the kill)%n",
                    beforeKill, hooks.total() - beforeKill, takeover, LEASE.toSeconds(), duplicates);
            assertThat(hooks.distinct()).isEqualTo(count);
            assertThat(takeover).as("seconds from kill to take-over").isLessThanOrEqualTo(LEASE.toSeconds() + 1.0);
            assertThat(duplicates).as("duplicates: at most the attempts in flight (5 workers)").isLessThanOrEqualTo(5);
        }
    }

    @Test
    @Order(7)
    @DisplayName("a node paused past its lease (SIGSTOP, SIGCONT) cannot overwrite what the node that took over did")
    void pausedNodeIsFencedOff() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Hooks hooks = new Hooks(Duration.ZERO)) {
            // the first attempt (node A's) hangs until released, then fails; the next one (the new owner's) succeeds
            hooks.answer = () -> {
                if (calls.incrementAndGet() == 1) {
                    release.await(60, TimeUnit.SECONDS);
                    return 500;
                }
                return 200;
            };
            String endpoint = register(a(), hooks, "fence.test");
            publish(a(), "{\"topic\":\"hooks:fence\",\"event\":\"fence.test\",\"channels\":[\"webhook\"],\"data\":{\"n\":1}}");
            hooks.awaitArrivals(1, Duration.ofSeconds(20));

            signal("STOP", a());
            try {
                hooks.awaitArrivals(2, Duration.ofSeconds(LEASE.toSeconds() + 10)); // node B takes it over and delivers
            } finally {
                release.countDown(); // node A's request now fails with 500, which A reads once it runs again
                signal("CONT", a());
            }

            a().process.awaitLine(Pattern.compile("is no longer this node's"), Duration.ofSeconds(30));
            Thread.sleep(2000); // had A's 500 been recorded, the delivery would be retrying and attempted again by now
            assertThat(calls.get()).as("attempts made").isEqualTo(2);
            HttpResponse<String> log = send(HttpRequest.newBuilder(b().uri("/api/v1/webhooks/" + endpoint + "/deliveries"))
                    .header("Authorization", "Bearer " + TestServer.API_KEY));
            assertThat(log.body()).contains("\"status\":\"sent\"").doesNotContain("retrying");
        }
    }

    // ---- the database goes away ------------------------------------------------------------------------

    @Test
    @Order(8)
    @DisplayName("PostgreSQL stopped for 10 s: publishing answers 503 problem+json with Retry-After, and the nodes recover by themselves")
    void databaseOutage() throws Exception {
        try (SseClient onB = stream(b(), "u-outage", null)) {
            String before = publish(a(), "{\"recipients\":[\"u-outage\"],\"event\":\"task.created\",\"data\":{\"n\":1}}");
            onB.nextEvent("task.created");

            postgres.stop();
            long stoppedAt = System.nanoTime();
            List<Integer> statuses = new ArrayList<>();
            while (System.nanoTime() - stoppedAt < TimeUnit.SECONDS.toNanos(10)) {
                HttpResponse<String> r = post(a(), "{\"recipients\":[\"u-outage\"],\"event\":\"task.created\",\"data\":{\"n\":2}}");
                statuses.add(r.statusCode());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
                Thread.sleep(500);
            }
            postgres.startAgain();

            long recovering = System.nanoTime();
            HttpResponse<String> r;
            do {
                Thread.sleep(250);
                r = post(a(), "{\"recipients\":[\"u-outage\"],\"event\":\"task.completed\",\"data\":{\"n\":3}}");
                assertThat(r.statusCode()).as(r.body()).isIn(202, 503);
            } while (r.statusCode() != 202 && System.nanoTime() - recovering < TimeUnit.SECONDS.toNanos(30));
            assertThat(r.statusCode()).as("publishing works again within 30 s").isEqualTo(202);
            System.out.printf("PostgreSQL outage: %d publishes refused with 503 while down; publishing again %.1f s after the restart%n",
                    statuses.size(), (System.nanoTime() - recovering) / 1e9);

            SseClient.Frame after = onB.nextEvent("task.completed");
            assertThat(n(after.data())).isEqualTo(3);
            assertThat(before).isNotBlank();
            // and node B publishes again too, reaching a client on node A
            try (SseClient onA = stream(a(), "u-outage2", null)) {
                HttpResponse<String> fromB;
                long t0 = System.nanoTime();
                do {
                    fromB = post(b(), "{\"recipients\":[\"u-outage2\"],\"event\":\"task.completed\",\"data\":{\"n\":4}}");
                } while (fromB.statusCode() != 202 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
                assertThat(n(onA.nextEvent("task.completed").data())).isEqualTo(4);
            }
        }
    }

    @Test
    @Order(9)
    @DisplayName("the node killed earlier shows as gone in the registry, the others as live")
    void aDeadNodeShowsAsGone() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String body;
        do {
            body = nodesOf(a()).body();
            // the live ones too: right after the database outage their heartbeats may still be catching up
        } while ((!body.matches("(?s).*\"nodeId\":\"node-c\"[^}]*\"state\":\"gone\".*") || count(body, "\"state\":\"live\"") != 2)
                && System.nanoTime() < deadline && sleep(500));
        assertThat(body).matches("(?s).*\"nodeId\":\"node-c\"[^}]*\"state\":\"gone\".*");
        assertThat(count(body, "\"state\":\"live\"")).isEqualTo(2);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private HttpResponse<String> nodesOf(Node node) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(node.uri("/api/v1/admin/nodes")).header("Authorization", "Bearer " + TestServer.API_KEY));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms); // polling another process's state: nothing to latch on
        return true;
    }

    SseClient stream(Node node, String user, String lastEventId) {
        SseClient s = SseClient.connect(http, node.uri("/api/v1/notifications/stream"), jwt(user), lastEventId);
        assertThat(s.status()).isEqualTo(200);
        if (lastEventId == null) {
            s.greeting();
        }
        return s;
    }

    static String jwt(String user) {
        return TestServer.sign(new JWTClaimsSet.Builder().subject(user)
                .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build(), TestServer.JWT_SECRET);
    }

    String publish(Node node, String json) {
        HttpResponse<String> r = post(node, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        Matcher m = ID.matcher(r.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    HttpResponse<String> post(Node node, String json) {
        return send(HttpRequest.newBuilder(node.uri("/api/v1/notifications")).header("Authorization", "Bearer " + TestServer.API_KEY)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String register(Node node, Hooks hooks, String event) throws InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(node.uri("/api/v1/webhooks")).header("Authorization", "Bearer " + TestServer.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + hooks.url() + "\",\"events\":[\"" + event + "\"]}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Thread.sleep(1100); // each node's endpoint cache (1 s) learns of it
        Matcher m = ID.matcher(r.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static int n(String data) {
        Matcher m = N.matcher(data);
        assertThat(m.find()).as(data).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static void awaitUnread(SseClient s, int unread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            SseClient.Frame f = s.nextEvent("stats");
            Matcher m = UNREAD.matcher(f.data());
            if (m.find() && Integer.parseInt(m.group(1)) == unread) {
                return;
            }
        }
        throw new AssertionError("no stats with unread " + unread + " within 10 s");
    }

    private static void signal(String signal, Node node) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(node.process.process().pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

    /** A webhook receiver that counts deliveries by their notification's {@code n} and when each arrived. */
    private static final class Hooks implements AutoCloseable {
        interface Answer {
            int status() throws Exception;
        }

        final ServerSocket server;
        final Duration delay;
        final Map<Integer, AtomicInteger> byN = new ConcurrentHashMap<>();
        final List<Long> arrivals = new CopyOnWriteArrayList<>();
        final AtomicInteger total = new AtomicInteger();
        final java.util.concurrent.ExecutorService connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hooks");
            t.setDaemon(true);
            return t;
        });
        volatile Answer answer = () -> 200;

        Hooks(Duration delay) throws IOException {
            this.delay = delay;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            connections.execute(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        connections.execute(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
        }

        /** HTTP/1.1 with keep-alive, just enough for the webhook channel's POSTs. */
        private void serve(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                while (true) {
                    int length = -1;
                    String line = line(in);
                    if (line == null) {
                        return;
                    }
                    while (!(line = line(in)).isEmpty()) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    arrivals.add(System.nanoTime());
                    String body = new String(in.readNBytes(Math.max(0, length)), StandardCharsets.UTF_8);
                    int status = handle(body);
                    out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away (a killed node)
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c; (c = in.read()) != -1; ) {
                if (c == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) c);
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        private int handle(String body) {
            int status;
            try {
                if (!delay.isZero()) {
                    Thread.sleep(delay.toMillis()); // a receiver that takes its time, so that a kill finds work in flight
                }
                status = answer.status();
            } catch (Exception e) {
                status = 500;
            }
            if (status == 200) {
                Matcher m = N.matcher(body);
                if (m.find()) {
                    byN.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new AtomicInteger()).incrementAndGet();
                }
            }
            total.incrementAndGet();
            return status;
        }

        int distinct() {
            return byN.size();
        }

        int total() {
            return total.get();
        }

        long firstArrivalAfter(long nanos) {
            return arrivals.stream().filter(t -> t > nanos).min(Long::compare).orElseThrow();
        }

        void awaitDistinct(int n, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (distinct() < n) {
                assertThat(System.nanoTime()).as("%d distinct deliveries within %s (have %d)", n, within, distinct()).isLessThan(deadline);
                Thread.sleep(20); // counting what another process sends: no latch to wait on
            }
        }

        void awaitArrivals(int n, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (arrivals.size() < n) {
                assertThat(System.nanoTime()).as("%d requests within %s (have %d)", n, within, arrivals.size()).isLessThan(deadline);
                Thread.sleep(10); // as above
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            connections.shutdownNow();
        }
    }
}
