package dev.notify.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A command in a real pseudo-terminal: a tmux session on a socket of its own (so it never touches
 * another tmux), typed into with {@code send-keys} and read with {@code capture-pane}.
 */
final class Tmux implements AutoCloseable {

    private final String socket;
    private final String session = "watch";

    private Tmux(String socket) {
        this.socket = socket;
    }

    /** Whether tmux is installed. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code script} (a bash script file) in a new 140x30 UTF-8 terminal; when it ends the pane
     * shows {@code EXIT=<status>} and stays open.
     */
    static Tmux run(Path script) {
        Tmux t = new Tmux("notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        t.tmux("-u", "new-session", "-d", "-s", t.session, "-x", "140", "-y", "30",
                "bash " + script + "; echo EXIT=$?; sleep 600");
        return t;
    }

    /** Types keys, such as {@code C-c}. */
    void sendKeys(String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** The visible screen. */
    String screen() {
        return tmux("capture-pane", "-p", "-t", session);
    }

    /** The screen plus everything scrolled off it. */
    String history() {
        return tmux("capture-pane", "-p", "-S", "-", "-t", session);
    }

    /** Whether the terminal's cursor is visible. */
    boolean cursorVisible() {
        return tmux("display-message", "-p", "-t", session, "#{cursor_flag}").trim().equals("1");
    }

    /** Waits until the screen matches, failing with the screen after {@code timeout}. */
    String await(Predicate<String> condition, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String s = screen();
        while (!condition.test(s)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the terminal never showed " + what + "; it shows:\n" + history());
            }
            Thread.sleep(100);
            s = screen();
        }
        return s;
    }

    private String tmux(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("LANG", "C.UTF-8");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run tmux: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Ends the session and this socket's tmux server. */
    @Override
    public void close() {
        try {
            tmux("kill-server");
        } catch (IllegalStateException e) {
            // already gone
        }
    }

    /** Writes a bash script that runs the server's main class with the test class path. */
    static Path script(Path dir, List<String> args) throws IOException {
        return script(dir, Path.of(System.getProperty("java.home"), "bin", "java"), args);
    }

    /** The same with another {@code java} binary (a newer JDK). */
    static Path script(Path dir, Path java, List<String> args) throws IOException {
        StringBuilder sb = new StringBuilder("#!/usr/bin/env bash\n");
        sb.append("unset $(env | grep -o '^NOTIFY_[A-Z_]*')\n");
        sb.append("export LANG=C.UTF-8\n");
        sb.append("exec ").append(quote(java.toString()))
                .append(" -cp ").append(quote(System.getProperty("java.class.path")))
                .append(" dev.notify.server.Main");
        for (String a : args) {
            sb.append(' ').append(quote(a));
        }
        sb.append('\n');
        Path f = dir.resolve("run-" + System.nanoTime() + ".sh");
        Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
        return f;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
