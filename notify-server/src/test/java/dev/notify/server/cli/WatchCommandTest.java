package dev.notify.server.cli;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code notify-server watch} as a person sees it: in a real pseudo-terminal (tmux) the progress
 * bars are redrawn in place and end with a ✓ or ✗ line, Ctrl-C exits and gives the cursor back;
 * with stdout piped it prints one plain line per change.
 *
 * <p>Needs tmux ({@code apt-get install -y tmux}); without it the terminal tests fail saying so.
 */
class WatchCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void progress(String user, String task, String event, Integer percent, String message) {
        server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"" + event + "\",\"title\":\"" + task + "\",\"data\":{\"task_id\":\""
                + task + "\"" + (percent == null ? "" : ",\"percent\":" + percent) + ",\"message\":\"" + message + "\"}}");
    }

    private static List<String> linesWith(String text, String needle) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.contains(needle)) {
                out.add(l);
            }
        }
        return out;
    }

    @Test
    @DisplayName("on a terminal, progress bars update in place and end with ✓ and ✗ lines; Ctrl-C restores the cursor")
    void drawsProgressBarsInPlace() throws Exception {
        if (!Tmux.available()) {
            fail("the terminal tests need tmux: apt-get install -y tmux");
        }
        String user = "watch-tty";
        Path script = Tmux.script(dir, List.of("watch", "--url", server.baseUri().toString(), "--token", server.jwt(user)));
        try (Tmux tty = Tmux.run(script)) {
            tty.await(s -> s.contains("watching as " + user), WAIT, "the connected line");
            assertThat(tty.cursorVisible()).as("cursor hidden while drawing").isFalse();

            progress(user, "import-42", "task.started", 0, "Starting");
            progress(user, "export-7", "task.progress", 10, "Packing");
            for (int p : new int[] {20, 45, 70}) {
                progress(user, "import-42", "task.progress", p, "Row " + p * 10);
            }
            String s = tty.await(x -> x.contains(" 70%  Row 700"), WAIT, "import-42 at 70%");
            assertThat(linesWith(tty.history(), "import-42")).as("one line for the task, redrawn in place:\n" + s).hasSize(1);
            assertThat(linesWith(s, "import-42").get(0)).contains("█").contains("░");

            progress(user, "import-42", "task.completed", null, "1200 rows imported");
            progress(user, "export-7", "task.failed", null, "disk full");
            s = tty.await(x -> x.contains("✓ import-42 completed") && x.contains("✗ export-7 failed"), WAIT, "both final lines");
            assertThat(linesWith(tty.history(), "import-42")).as("still one line for import-42:\n" + s).hasSize(1);
            assertThat(linesWith(tty.history(), "export-7")).as("one line for export-7:\n" + s).hasSize(1);
            assertThat(linesWith(s, "import-42").get(0)).contains("1200 rows imported");
            assertThat(linesWith(s, "export-7").get(0)).contains("disk full");

            tty.sendKeys("C-c");
            s = tty.await(x -> x.contains("EXIT="), WAIT, "the exit status");
            assertThat(s).contains("stopped watching");
            assertThat(tty.cursorVisible()).as("cursor restored after Ctrl-C").isTrue();
            assertThat(linesWith(s, "EXIT=").get(0)).as("Ctrl-C ends it like any interrupted command").contains("EXIT=130");
        }
    }

    @Test
    @DisplayName("with stdout piped it prints one plain line per change, without escape sequences")
    void printsPlainLinesWhenPiped() throws Exception {
        assertPlainLinesWhenPiped(Path.of(System.getProperty("java.home"), "bin", "java"), "watch-pipe");
    }

    @Test
    @DisplayName("on JDK 22 and later, where System.console() exists even when piped, it still prints plain lines")
    void printsPlainLinesWhenPipedOnJdk22AndLater() throws Exception {
        Optional<Path> java = jdk22OrLater();
        assumeTrue(java.isPresent(), "no JDK 22+ found (NOTIFY_TEST_JDK22_HOME, /usr/lib/jvm, /opt)");
        assertPlainLinesWhenPiped(java.get(), "watch-pipe-jdk22");
    }

    @Test
    @DisplayName("on JDK 22 and later, in a terminal it still draws (Console.isTerminal(), called reflectively, says so)")
    void drawsInATerminalOnJdk22AndLater() throws Exception {
        Optional<Path> java = jdk22OrLater();
        assumeTrue(java.isPresent(), "no JDK 22+ found (NOTIFY_TEST_JDK22_HOME, /usr/lib/jvm, /opt)");
        if (!Tmux.available()) {
            fail("the terminal tests need tmux: apt-get install -y tmux");
        }
        String user = "watch-tty-jdk22";
        Path script = Tmux.script(dir, java.get(), List.of("watch", "--url", server.baseUri().toString(), "--token", server.jwt(user)));
        try (Tmux tty = Tmux.run(script)) {
            tty.await(s -> s.contains("watching as " + user), WAIT, "the connected line");
            assertThat(tty.cursorVisible()).as("cursor hidden: it draws with escape sequences").isFalse();
            progress(user, "jdk-22", "task.progress", 40, "Drawing");
            String s = tty.await(x -> x.contains(" 40%  Drawing"), WAIT, "the progress bar");
            assertThat(linesWith(s, "jdk-22").get(0)).contains("█").contains("░");
            tty.sendKeys("C-c");
            tty.await(x -> x.contains("EXIT="), WAIT, "the exit status");
        }
    }

    /** A JDK of release 22 or later: NOTIFY_TEST_JDK22_HOME, else the newest one under /usr/lib/jvm or /opt. */
    private static Optional<Path> jdk22OrLater() throws IOException {
        List<Path> homes = new ArrayList<>();
        String configured = System.getenv("NOTIFY_TEST_JDK22_HOME");
        if (configured != null && !configured.isBlank()) {
            homes.add(Path.of(configured));
        }
        for (String parent : List.of("/usr/lib/jvm", "/opt")) {
            if (Files.isDirectory(Path.of(parent))) {
                try (var dirs = Files.list(Path.of(parent))) {
                    dirs.sorted(java.util.Comparator.reverseOrder()).forEach(homes::add);
                }
            }
        }
        for (Path home : homes) {
            Path release = home.resolve("release");
            if (Files.isRegularFile(release) && Files.isExecutable(home.resolve("bin/java"))) {
                var m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
                if (m.find() && Integer.parseInt(m.group(1)) >= 22) {
                    return Optional.of(home.resolve("bin/java"));
                }
            }
        }
        return Optional.empty();
    }

    private void assertPlainLinesWhenPiped(Path javaBinary, String user) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaBinary.toString(),
                "-cp", System.getProperty("java.class.path"), "dev.notify.server.Main",
                "watch", "--url", server.baseUri().toString(), "--token", server.jwt(user), "--exit-when-done"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("NOTIFY_"));
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                byte[] buf = new byte[4096];
                int n;
                while ((n = p.getInputStream().read(buf)) > 0) {
                    synchronized (out) {
                        out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            long end = System.nanoTime() + WAIT.toNanos();
            while (!text(out).contains("watching as " + user)) {
                if (System.nanoTime() > end || !p.isAlive()) {
                    fail("watch did not connect:\n" + text(out));
                }
                Thread.sleep(50);
            }
            progress(user, "build-9", "task.progress", 25, "Compiling");
            progress(user, "build-9", "task.progress", 50, "Testing");
            progress(user, "build-9", "task.completed", null, "All green");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits once the task finished:\n" + text(out)).isTrue();
            reader.join(5000);
            String o = text(out);
            assertThat(p.exitValue()).as(o).isZero();
            assertThat(o).doesNotContain("\033");
            assertThat(linesWith(o, "build-9")).as(o).hasSize(3);
            assertThat(linesWith(o, "build-9").get(0)).contains("build-9").contains(" 25%").contains("Compiling");
            assertThat(linesWith(o, "build-9").get(1)).contains(" 50%").contains("Testing");
            assertThat(linesWith(o, "build-9").get(2)).startsWith("✓ build-9 completed in ").contains("All green");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @DisplayName("a refused token ends watch with status 1 and the server's reason")
    void refusedTokenExitsWithTheReason() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.notify.server.Main",
                "watch", "--url", server.baseUri().toString(), "--token", "not.a.jwt").redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("NOTIFY_"));
        Process p = pb.start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(o).isEqualTo(1);
        assertThat(o).contains("401");
    }

    private static String text(StringBuilder sb) {
        synchronized (sb) {
            return sb.toString();
        }
    }
}
