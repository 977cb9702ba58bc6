package dev.notify.testkit;

import dev.notify.api.Api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throw-away {@code redis-server} for tests: started on a free loopback port with a password
 * ({@code --requirepass}) and its files under {@code target/redis/}, stopped when the JVM exits.
 * {@link #kill()} ends it as a crash would (SIGKILL) and {@link #startAgain()} starts it on the same
 * port, to see how clients cope with an outage. Nothing is persisted: a restarted server is empty.
 *
 * <p>The binary comes from Debian's {@code redis-server} package ({@code /usr/bin/redis-server});
 * without it, tests fail with a message naming the package.
 *
 * <pre>{@code
 * RedisServer redis = RedisServer.start(Path.of("target", "redis"));
 * String url = redis.url(); // redis://:<password>@127.0.0.1:<port>
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class RedisServer implements AutoCloseable {

    private static final AtomicInteger COUNT = new AtomicInteger();

    private final Path binary;
    private final Path dir;
    private final int port;
    private final String password;
    private volatile Process process;

    private RedisServer(Path binary, Path dir, int port, String password) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    /** Starts a server of its own under {@code root} (a directory per server), on a free port. */
    public static RedisServer start(Path root) {
        Path binary = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("the Redis tests need redis-server: apt-get install redis-server");
        }
        try {
            Path dir = Files.createDirectories(root.toAbsolutePath().resolve("redis-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet()));
            RedisServer s = new RedisServer(binary, dir, freePort(), "test-pw-" + Long.toHexString(System.nanoTime()));
            s.startAgain();
            Runtime.getRuntime().addShutdownHook(new Thread(s::kill, "redis-stop"));
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a Redis test server under " + root.toAbsolutePath() + ": " + e, e);
        }
    }

    /** Starts the server again (after {@link #kill()}) on the same port with the same password; returns once it answers. */
    public void startAgain() {
        try {
            process = new ProcessBuilder(List.of(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--requirepass", password, "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                    "--protected-mode", "no", "--logfile", dir.resolve("redis.log").toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!answers()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }

    /** Whether it answers {@code PING} after {@code AUTH} now. */
    public boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(("AUTH " + password + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while (!sb.toString().contains("PONG") && (c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.length() > 200) {
                    return false;
                }
            }
            return sb.toString().contains("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** Ends the server at once (SIGKILL), as a crash would. */
    public void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code redis://:<password>@127.0.0.1:<port>}. */
    public String url() {
        return "redis://:" + password + "@127.0.0.1:" + port;
    }

    /** The same server with a wrong password, for tests of the error. */
    public String urlWithWrongPassword() {
        return "redis://:wrong-" + password + "@127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
