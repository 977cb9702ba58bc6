package dev.notify.channel.system.internal;

import dev.notify.channel.system.CommandRunner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with {@link ProcessBuilder}: no shell, stdin closed, stdout discarded, the first
 * 4 KiB of stderr kept; killed (with its children) when it outlives the timeout.
 */
public final class ProcessCommandRunner implements CommandRunner {

    private static final int MAX_STDERR = 4096;

    @Override
    public Result run(List<String> command, Map<String, String> environment, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> drain(p.getErrorStream(), err), "notify-system-stderr");
        drain.setDaemon(true);
        drain.start();
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted", true);
        }
        if (!finished) {
            kill(p);
            return new Result(-1, stderr(err), true);
        }
        try {
            drain.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(p.exitValue(), stderr(err), false);
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows") ? "NUL" : "/dev/null");
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    if (out.size() < MAX_STDERR) {
                        out.write(buf, 0, Math.min(n, MAX_STDERR - out.size()));
                    }
                }
            }
        } catch (IOException e) {
            // the process went away; what was read is kept
        }
    }

    private static String stderr(ByteArrayOutputStream err) {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8).strip();
        }
    }
}
