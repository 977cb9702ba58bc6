package dev.notify.bench.cluster;

import dev.notify.bench.BenchSupport;
import dev.notify.testkit.PostgresServer;
import dev.notify.testkit.RedisServer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of {@code --redis-ingest-stream}: real {@code notify-server.jar} processes on a
 * throw-away PostgreSQL consume one Redis Stream as a consumer group while the benchmark appends
 * entries to it as fast as Redis takes them (pipelined {@code XADD}s, each the JSON of a publish to
 * one of 1,000 users with an idempotency key). Measured: from the first {@code XADD} to the moment
 * the group has read every entry and none is pending (each acknowledged only after its notification
 * is stored), and then the number of notifications in the database, which must equal the entries.
 * Each node count runs on a fresh database and stream; the stream is deleted afterwards and the
 * database server stopped. The nodes carry only the {@code sse} channel, so what is measured is the
 * stream-to-store path (no push delivery rows); {@code --channels} names others (a push channel with
 * nothing to deliver to, {@code webhook}, leaves the node without a stream channel, so its tailer
 * reads nothing back).
 *
 * <p>{@code --modes live} (the default) appends while the nodes consume, so the figure is bounded by
 * the benchmark's own {@code XADD}s, which share the machine; {@code --modes backlog} appends the
 * whole stream before any node starts and times the nodes draining it, from the first progress of
 * the group seen after they listen (what they read while starting is left out of the count) to the
 * last acknowledgement. {@code --warmup-entries W} (backlog only) puts W more entries ahead of the
 * measured ones and starts the clock once W are acknowledged, so the figure is the nodes' steady
 * rate rather than that of a JVM still compiling its path (on two cores the two differ by up to a
 * quarter from run to run).
 *
 * <pre>
 * mvn -q -o package -pl notify-server -DskipTests &amp;&amp; mvn -q -o compile -pl notify-bench
 * java -cp notify-bench/target/classes:$(cat /tmp/bench.cp) dev.notify.bench.cluster.IngestBenchmark \
 *      --jar notify-server/target/notify-server.jar --entries 200000 --nodes 1,3 --batch 500 --threads 2 [--modes live,backlog]
 *      [--warmup-entries 100000]
 * </pre>
 */
public final class IngestBenchmark {

    private static final String API_KEY = "bench-api-key-0123456789abcdef";
    private static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--jar", "notify-server/target/notify-server.jar", "--entries", "200000",
                "--nodes", "1,3", "--batch", "500", "--threads", "2", "--server-heap", "512m", "--modes", "live", "--channels", "sse",
                "--warmup-entries", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        PostgresServer pg = PostgresServer.startOwn(Path.of("target", "postgres-bench-ingest"));
        RedisServer redis = RedisServer.start(Path.of("target", "redis-bench-ingest"));
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (String mode : a.get("--modes").split(",")) {
                for (String n : a.get("--nodes").split(",")) {
                    run(Integer.parseInt(n.trim()), mode.trim().equals("backlog"), pg, redis, c, a);
                }
            }
        } finally {
            client.shutdown();
            redis.close();
            pg.stop();
        }
        System.exit(0);
    }

    private static void run(int nodes, boolean backlog, PostgresServer pg, RedisServer redis, StatefulRedisConnection<String, String> c,
                            Map<String, String> a) throws Exception {
        int entries = Integer.parseInt(a.get("--entries"));
        String db = pg.createDatabase();
        String stream = "bench-ingest-" + nodes + "-" + System.nanoTime();
        List<Process> servers = new ArrayList<>();
        try {
            String last = null;
            double produced = 0;
            int warmup = backlog ? Integer.parseInt(a.get("--warmup-entries")) : 0;
            if (backlog) { // the whole stream is written before any node starts
                long p0 = System.nanoTime();
                last = append(c, stream, warmup + entries);
                produced = (System.nanoTime() - p0) / 1e9;
            }
            for (int i = 0; i < nodes; i++) {
                servers.add(startNode(i, db, redis, stream, a));
            }
            long cpu0 = serversCpu(servers);
            long t0 = System.nanoTime();
            long acked0 = 0;
            if (backlog) {
                // the nodes began reading while they started: the clock starts at the first progress seen from here on,
                // or once the warm-up entries are acknowledged (the node's JIT compiled its path on them)
                long[] progress = progress(c, stream);
                long seen = progress[0];
                while ((progress = progress(c, stream))[0] == seen || progress[0] - progress[1] < warmup) {
                    Thread.sleep(1);
                }
                t0 = System.nanoTime();
                cpu0 = serversCpu(servers);
                acked0 = progress[0] - progress[1];
            } else {
                last = append(c, stream, entries);
                produced = (System.nanoTime() - t0) / 1e9;
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < deadline && !(last.equals(lastDelivered(c, stream)) && c.sync().xpending(stream, "notify").getCount() == 0)) {
                // every 10 ms (0.1% of a 10 s drain): polling every 2 ms cost this process 18% of a core, taken from the nodes
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long measured = warmup + entries - acked0;
            // CPU of the server processes per entry: what the machine's load does not change much
            double cpuMicros = (serversCpu(servers) - cpu0) * 1000.0 / measured;
            long stored = count(db);
            if (backlog) {
                System.out.printf("== ingest %d node(s) x %s consumer threads, batch %s, backlog: %d entries (%d to warm up) XADDed in %.1f s before the nodes started;"
                                + " %d of them (those not yet acknowledged when the clock started) stored and acknowledged in %.1f s:"
                                + " %.0f entries/s (servers' CPU %.0f µs per entry); %d notifications in the store, %d dead letters%n",
                        nodes, a.get("--threads"), a.get("--batch"), warmup + entries, warmup, produced, measured, seconds, measured / seconds, cpuMicros,
                        stored, c.sync().xlen(stream + ":dead"));
            } else {
                System.out.printf("== ingest %d node(s) x %s consumer threads, batch %s, live: %d entries XADDed in %.1f s; all stored and acknowledged after %.1f s:"
                                + " %.0f entries/s (servers' CPU %.0f µs per entry); %d notifications in the store, %d dead letters%n",
                        nodes, a.get("--threads"), a.get("--batch"), entries, produced, seconds, entries / seconds, cpuMicros, stored,
                        c.sync().xlen(stream + ":dead"));
            }
        } finally {
            for (Process p : servers) {
                p.destroy();
            }
            for (Process p : servers) {
                p.waitFor(30, TimeUnit.SECONDS);
            }
            c.sync().del(stream, stream + ":dead");
        }
    }

    private static Process startNode(int i, String db, RedisServer redis, String stream, Map<String, String> a) throws Exception {
        int port = BenchSupport.freePort();
        Path data = BenchSupport.tempDir("notify-bench-ingest-");
        List<String> cmd = BenchSupport.nodeCommand(a, i); // --server-jvm-args "-XX:StartFlightRecording=...%n.jfr" profiles each
        cmd.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", data.toString(),
                "--db-url", db, "--api-key", API_KEY, "--jwt-secret", JWT_SECRET, "--access-log", "false", "--channels", a.get("--channels"),
                "--node-id", "node-" + (char) ('a' + i), "--redis-url", redis.url(), "--redis-ingest-stream", stream,
                "--set", "ingest.redis.batch=" + a.get("--batch"), "--set", "ingest.redis.threads=" + a.get("--threads")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        BenchSupport.awaitListening(p, "127.0.0.1", port, data.resolve("server.log"));
        return p;
    }

    /** Appends the entries with pipelined {@code XADD}s, a thousand at a time; returns the last entry's id. */
    private static String append(StatefulRedisConnection<String, String> c, String stream, int entries) {
        RedisAsyncCommands<String, String> r = c.async();
        String last = null;
        List<RedisFuture<String>> pending = new ArrayList<>(1000);
        for (int i = 0; i < entries; i++) {
            pending.add(r.xadd(stream, "notification", "{\"recipients\":[\"u" + (i % 1000) + "\"],\"event\":\"bench.ingest\",\"title\":\""
                    + i + "\",\"idempotencyKey\":\"bench-" + i + "\"}"));
            if (pending.size() == 1000 || i == entries - 1) {
                LettuceFutures.awaitAll(Duration.ofSeconds(30), pending.toArray(new RedisFuture[0]));
                try {
                    last = pending.get(pending.size() - 1).get();
                } catch (Exception e) {
                    throw new IllegalStateException("XADD failed", e);
                }
                pending.clear();
            }
        }
        return last;
    }

    /** The group's entries read and entries pending ({@code XINFO GROUPS}); zeros before the group exists. */
    private static long[] progress(StatefulRedisConnection<String, String> c, String stream) {
        try {
            for (Object g : c.sync().xinfoGroups(stream)) {
                List<?> fields = (List<?>) g;
                long read = 0;
                long pending = 0;
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    String k = String.valueOf(fields.get(i));
                    if ("entries-read".equals(k)) {
                        read = fields.get(i + 1) == null ? 0 : Long.parseLong(String.valueOf(fields.get(i + 1)));
                    } else if ("pending".equals(k)) {
                        pending = Long.parseLong(String.valueOf(fields.get(i + 1)));
                    }
                }
                return new long[]{read, pending};
            }
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            // no such key or group yet
        }
        return new long[]{0, 0};
    }

    private static long serversCpu(List<Process> servers) {
        long sum = 0;
        for (Process p : servers) {
            sum += BenchSupport.processCpuMillis(p.pid());
        }
        return sum;
    }

    /** The id of the group's last delivered entry (XINFO GROUPS). */
    private static String lastDelivered(StatefulRedisConnection<String, String> c, String stream) {
        for (Object g : c.sync().xinfoGroups(stream)) {
            List<?> fields = (List<?>) g;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("last-delivered-id".equals(String.valueOf(fields.get(i)))) {
                    return String.valueOf(fields.get(i + 1));
                }
            }
        }
        return "";
    }

    private static long count(String url) throws Exception {
        try (Connection conn = DriverManager.getConnection(url); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notify_notification")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
