package dev.notify.testkit;

import dev.notify.api.Api;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for tests: one cluster per JVM under {@code target/postgres/},
 * started on first use on a free loopback port with the local PostgreSQL binaries, and stopped
 * when the JVM exits. Each {@link #createDatabase()} gives a fresh, empty database.
 *
 * <p>PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
 * {@code postgres} OS user (through {@code runuser}). The binaries come from the Debian package
 * {@code postgresql-15} ({@code /usr/lib/postgresql/15/bin}); any other version found there or on
 * the {@code PATH} works too. Without them, tests fail with a message naming the package.
 *
 * <p>Store implementers run {@link NotificationStoreContract} against a real server with it:
 * {@code String url = PostgresServer.shared().createDatabase()}; the JDBC driver must be on the
 * test classpath.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class PostgresServer {

    private static PostgresServer shared;

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    private final AtomicInteger databases = new AtomicInteger();
    private volatile String options = "";

    private PostgresServer(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * A server of its own under {@code root} (not the shared one), for a test that stops it and
     * {@linkplain #startAgain() starts it again} to see how its clients cope with a database outage.
     */
    public static PostgresServer startOwn(Path root) {
        return start(root);
    }

    /** Starts a server stopped with {@link #stop()} again, on the same port with the same data. */
    public void startAgain() {
        try {
            run(cmd(asPostgresUser, bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                    dataDir.resolveSibling("server.log").toString(), "-o", options, "-w", "-t", "60", "start"), true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the PostgreSQL test server again: " + e, e);
        }
    }

    /** The server of this JVM, started on first call. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(Path.of("target", "postgres"));
        }
        return shared;
    }

    /** The JDBC URL of a new, empty database. */
    public String createDatabase() {
        String name = "notify_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    /** The JDBC URL of database {@code name} on this server; the user is {@code postgres}, without password. */
    public String url(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=postgres";
    }

    public int port() {
        return port;
    }

    private static PostgresServer start(Path root) {
        Path bin = findBinaries();
        boolean asPostgres = "root".equals(System.getProperty("user.name"));
        try {
            Path base = root.toAbsolutePath();
            Files.createDirectories(base);
            cleanUpStaleClusters(base, bin, asPostgres);
            Path dir = base.resolve("pg-" + ProcessHandle.current().pid());
            Files.createDirectories(dir);
            if (asPostgres) {
                // The postgres user must be able to reach its data directory from here.
                for (Path p = dir; p != null; p = p.getParent()) {
                    makeTraversable(p);
                }
                run(List.of("chown", "postgres:postgres", dir.toString()), false);
            }
            Path data = dir.resolve("data");
            run(cmd(asPostgres, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--no-sync", "--locale=C"), true);
            int port = freePort();
            PostgresServer server = new PostgresServer(bin, data, port, asPostgres);
            String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                    + " -c max_connections=300 -c shared_buffers=128MB";
            server.options = options;
            run(cmd(asPostgres, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                    "-o", options, "-w", "-t", "60", "start"), true);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postgres-stop"));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a PostgreSQL test server under " + root.toAbsolutePath() + ": " + e, e);
        }
    }

    /** Stops the server immediately (as a crash would); the cluster is thrown away anyway, or started again. */
    public void stop() {
        try {
            run(cmd(asPostgresUser, bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"), false);
        } catch (RuntimeException | IOException e) {
            System.err.println("could not stop the PostgreSQL test server: " + e.getMessage());
        }
    }

    private static void cleanUpStaleClusters(Path base, Path bin, boolean asPostgres) throws IOException {
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path old : (Iterable<Path>) dirs::iterator) {
                String name = old.getFileName().toString();
                if (!name.startsWith("pg-")) {
                    continue;
                }
                long pid = Long.parseLong(name.substring(3));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (Files.exists(old.resolve("data/postmaster.pid"))) {
                    run(cmd(asPostgres, bin.resolve("pg_ctl").toString(), "-D", old.resolve("data").toString(), "-m", "immediate", "stop"), false);
                }
                deleteRecursively(old);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void makeTraversable(Path p) throws IOException {
        try {
            var perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                var more = new java.util.HashSet<>(perms);
                more.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, more);
            }
        } catch (UnsupportedOperationException e) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static Path findBinaries() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("/usr/lib/postgresql/15/bin"));
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException ignored) {
                // fall through to PATH
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir));
            }
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("initdb")) && Files.isExecutable(c.resolve("pg_ctl"))) {
                return c;
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin "
                + "or on the PATH: install the Debian package postgresql-15 (apt-get install -y postgresql-15)");
    }

    private static List<String> cmd(boolean asPostgres, String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void run(List<String> cmd, boolean mustSucceed) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (mustSucceed && p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue() + ":\n" + output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
