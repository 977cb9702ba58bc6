package dev.notify.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Notify server in a second JVM, for the tests that must see what only a real process shows:
 * its log, the module path, the runnable jar, signals and the exit status.
 *
 * <pre>{@code
 * try (ServerProcess p = ServerProcess.start(List.of(ServerProcess.java(), "-jar", jar.toString(), "--port", "0"), dir)) {
 *     URI base = p.awaitListening(Duration.ofSeconds(60));
 *     ...
 *     assertThat(p.terminate(Duration.ofSeconds(30))).isZero();
 * }
 * }</pre>
 *
 * Standard output and standard error are merged and kept, so a failing assertion can show them.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Notify listening on (http://\\S+)");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    /** Servers still running when the test JVM ends (a killed build, a forgotten close) are killed with it. */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "server-process-reaper"));
    }

    private ServerProcess(Process process) {
        this.process = process;
        RUNNING.add(process);
        process.onExit().thenRun(() -> RUNNING.remove(process));
        this.reader = new Thread(this::readOutput, "server-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The {@code java} launcher of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts {@code command} in {@code workDir}. */
    public static ServerProcess start(List<String> command, Path workDir) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        // the environment must not configure the server behind the test's back
        pb.environment().keySet().removeIf(k -> k.startsWith("NOTIFY_"));
        try {
            return new ServerProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone; what was read is kept
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /**
     * Waits for the start-up line and returns the base URI it names.
     *
     * @throws AssertionError with the process output when the server exits or does not start in time
     */
    public URI awaitListening(Duration timeout) {
        Matcher m = awaitLine(LISTENING, timeout);
        return URI.create(m.group(1));
    }

    /**
     * Waits until a line of the output matches {@code pattern} (found anywhere in the line).
     *
     * @throws AssertionError with the process output when the process ends or time runs out first
     */
    public Matcher awaitLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        synchronized (lines) {
            while (true) {
                for (; checked < lines.size(); checked++) {
                    Matcher m = pattern.matcher(lines.get(checked));
                    if (m.find()) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!reader.isAlive() && checked == lines.size())) {
                    throw new AssertionError("no line matching /" + pattern + "/ " + (process.isAlive() ? "within " + timeout
                            : "before the process exited with " + process.exitValue()) + "; output:\n" + output());
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Everything the process printed so far. */
    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** The process. */
    public Process process() {
        return process;
    }

    /**
     * Sends SIGTERM (on Linux and macOS) and waits for the exit.
     *
     * @return the exit status
     * @throws AssertionError with the output when the process outlives the timeout (it is then killed)
     */
    public int terminate(Duration timeout) {
        // the handle's destroy() is the same SIGTERM as Process.destroy(), but Process.destroy() also closes
        // our end of the output pipe at once, so everything the server logs while it shuts down would be lost
        if (!process.toHandle().destroy()) {
            throw new AssertionError("cannot send SIGTERM to process " + process.pid());
        }
        return awaitExit(timeout);
    }

    /**
     * Waits for the process to end on its own.
     *
     * @return the exit status
     * @throws AssertionError with the output when it is still running after the timeout (it is then killed)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the process did not exit within " + timeout + "; output:\n" + output());
            }
            reader.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
