package dev.notify.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the benchmarks that drive a server process share: starting it, CPU, memory, descriptor and
 * thread readings from {@code /proc}, a user JWT, percentiles. {@code java.base}
 * only, like the benchmarks that use it.
 */
public final class BenchSupport {

    private BenchSupport() {
    }

    /**
     * Waits up to 60 s until the server process accepts connections on {@code host:port}.
     *
     * @throws IllegalStateException if it exits first (see {@code log}) or never listens
     */
    public static void awaitListening(Process server, String host, int port, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                new java.net.Socket(host, port).close();
                return;
            } catch (IOException e) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("the server exited: see " + log);
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the server did not listen within 60 s");
    }

    /** A port free on loopback at the time of asking (the server is told to bind it). */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code command} (a {@code java -jar notify-server.jar ...} line) with its output in
     * {@code log} and waits until it listens on {@code host:port}.
     */
    /**
     * The start of a server node's command line: {@code java}, the heap ({@code --server-heap}), the
     * JVM options of {@code --server-jvm-args} (space-separated; {@code NODE} or {@code %n} in them
     * becomes the node's letter, so that each node profiles to a file of its own), then
     * {@code -jar} and {@code --jar}. The caller adds the server's own options.
     */
    public static List<String> nodeCommand(Map<String, String> args, int node) {
        String letter = String.valueOf((char) ('a' + node));
        List<String> cmd = new java.util.ArrayList<>(List.of("java", "-Xms" + args.get("--server-heap"), "-Xmx" + args.get("--server-heap")));
        for (String arg : args.getOrDefault("--server-jvm-args", "").split(" ")) {
            if (!arg.isBlank()) {
                cmd.add(arg.replace("NODE", letter).replace("%n", letter));
            }
        }
        cmd.addAll(List.of("-jar", args.get("--jar")));
        return cmd;
    }

    private static final List<Path> TEMP_DIRS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * A temporary directory (a node's data and log) deleted with everything in it when the benchmark's
     * JVM exits, after its nodes have been stopped.
     */
    public static Path tempDir(String prefix) throws IOException {
        Path dir = java.nio.file.Files.createTempDirectory(prefix);
        synchronized (TEMP_DIRS) {
            if (TEMP_DIRS.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> TEMP_DIRS.forEach(BenchSupport::deleteTree), "bench-temp-cleanup"));
            }
            TEMP_DIRS.add(dir);
        }
        return dir;
    }

    /** Deletes a directory and everything below it (a benchmark's data); a failure is printed, never thrown. */
    public static void deleteTree(Path root) {
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    public static Process startServer(List<String> command, Path log, String host, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitListening(p, host, port, log);
        } catch (RuntimeException | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }

    /** Resident memory of a process in KiB ({@code VmRSS} of /proc/PID/status); -1 without /proc. */
    public static long rssKb(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** Threads of a process ({@code Threads} of /proc/PID/status); -1 without /proc. */
    public static long threads(long pid) {
        return statusField(pid, "Threads:");
    }

    /** Open file descriptors of a process (entries of /proc/PID/fd); -1 without /proc. */
    public static long openFds(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc, or the process ended
        }
        return -1;
    }

    /** Daemon threads named {@code name}, so a benchmark's helpers never keep its JVM alive. */
    public static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts {@code task} on a daemon thread named {@code name}. */
    public static Thread startDaemon(String name, Runnable task) {
        Thread t = daemon(name).newThread(task);
        t.start();
        return t;
    }

    /**
     * Splits the bytes of {@code buffer} (flipped, read from a socket) into lines, one byte one
     * character, {@code \r} dropped: the text up to each {@code \n} goes to {@code each}, and an
     * unfinished last line stays in {@code partial} for the next read.
     */
    public static void lines(java.nio.ByteBuffer buffer, StringBuilder partial, java.util.function.Consumer<String> each) {
        while (buffer.hasRemaining()) {
            char ch = (char) (buffer.get() & 0xff);
            if (ch == '\n') {
                each.accept(partial.toString());
                partial.setLength(0);
            } else if (ch != '\r') {
                partial.append(ch);
            }
        }
    }

    /** User + system CPU of a process, from /proc (fields 14 and 15 of stat, clock ticks of 10 ms); -1 without /proc. */
    public static long processCpuMillis(long pid) {
        try {
            return cpuMillis(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** User + system CPU of a process's threads, summed by name with digits stripped ({@code qtp123-45} → {@code qtp-}). */
    public static Map<String, Long> threadCpuMillis(long pid) {
        Map<String, Long> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "");
                    out.merge(name, cpuMillis(stat), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc
        }
        return out;
    }

    /** {@code after - before} per thread group, largest first, as "name ms, name ms". */
    public static String threadCpuDelta(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** User + system CPU from one /proc stat line: fields 14 and 15, counted after the command name's closing parenthesis. */
    public static long cpuMillis(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // USER_HZ is 100 on Linux
    }

    /** An HS256 user JWT for {@code user}, granted {@code topics}, valid for an hour. */
    public static String jwt(String user, String topics, String secret) {
        return jwt(user, topics, secret, 3600);
    }

    /** An HS256 user JWT for {@code user}, granted {@code topics}, valid for {@code seconds}. */
    public static String jwt(String user, String topics, String secret, long seconds) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = System.currentTimeMillis() / 1000 + seconds;
        String payload = b64.encodeToString(("{\"sub\":\"" + user + "\",\"exp\":" + exp + ",\"topics\":[\"" + topics + "\"]}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String sig = b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
            return header + "." + payload + "." + sig;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code p}-th percentile (nearest rank) of nanosecond samples, in milliseconds; NaN when empty. */
    public static double percentileMillis(List<Long> nanos, double p) {
        long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return percentileMillisOfSorted(a, p);
    }

    /** The {@code p}-th percentile (nearest rank) of nanosecond samples sorted ascending, in milliseconds; NaN when empty. */
    public static double percentileMillisOfSorted(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
