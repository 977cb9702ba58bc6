package dev.notify.server.web;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The inbox and admin pages in real headless Chromium against a real server: each test runs one
 * case of {@code src/test/browser/run.mjs} with Node and playwright-core, driving Debian's
 * {@code chromium}. Screenshots land in {@code target/screenshots/}.
 *
 * <p>Needs {@code apt-get install -y chromium nodejs npm} and
 * {@code npm ci --prefix notify-server/src/test/browser}; without them every test fails saying so.
 */
class BrowserTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final Path SCRIPTS = MODULE.resolve("src/test/browser");
    private static final Path SCREENSHOTS = MODULE.resolve("target/screenshots");
    private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    private static final AtomicInteger USERS = new AtomicInteger();

    private static Path dataDir;
    private static TestServer server;
    private static FlakyChannel flaky;

    @BeforeAll
    static void start() throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            missing.add("Chromium at " + CHROMIUM + ": apt-get install -y chromium");
        }
        if (!canRun("node", "--version")) {
            missing.add("Node.js: apt-get install -y nodejs npm");
        }
        if (!Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))) {
            missing.add("playwright-core: npm ci --prefix notify-server/src/test/browser (it never downloads a browser)");
        }
        if (!missing.isEmpty()) {
            fail("the browser tests need " + String.join("; ", missing));
        }
        dataDir = Files.createTempDirectory("notify-browser-");
        startServer(0);
    }

    private static void startServer(int port) {
        server = TestServer.restart(dataDir, b -> b.port(port).devTokens(true));
        flaky = new FlakyChannel();
        server.server().service().registerChannel(flaky);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (dataDir != null) {
            TestServer.deleteTree(dataDir);
        }
    }

    @Test
    @DisplayName("a published notification shows a coloured toast, bumps the bell and draws task progress")
    void toastBumpsTheBell() {
        run("toastAndBell");
    }

    @Test
    @DisplayName("mark read, mark all read and delete update the bell and the list, also after a reload")
    void markReadUpdatesTheCount() {
        run("markRead");
    }

    @Test
    @DisplayName("after a server restart the page reconnects and shows what was published meanwhile, exactly once")
    void reconnectsAfterARestart() {
        run("restart");
    }

    @Test
    @DisplayName("a title of <img src=x onerror=alert(1)> is shown as text, and no dialog fires")
    void showsMarkupAsText() {
        run("xss");
    }

    @Test
    @DisplayName("the admin page lists a dead letter and its Replay button re-sends it")
    void adminReplaysADeadLetter() {
        String out = run("adminReplay");
        String id = out.lines().filter(l -> l.startsWith("@@replayed ")).map(l -> l.substring(11).trim()).findFirst()
                .orElseThrow(() -> new AssertionError("the script did not replay:\n" + out));
        assertThat(flaky.sent).as("deliveries the flaky channel completed").contains(id);
    }

    @Test
    @DisplayName("without EventSource the client falls back to the WebSocket")
    void fallsBackToTheWebSocket() {
        run("wsFallback");
    }

    @Test
    @DisplayName("without EventSource and WebSocket the client falls back to long polling")
    void fallsBackToLongPolling() {
        run("pollFallback");
    }

    @Test
    @DisplayName("progress updates that share a collapse key show as one inbox item with the newest percent, live and after a reload")
    void collapsesProgressIntoOneItem() {
        run("collapsedProgress");
    }

    @Test
    @DisplayName("the preferences panel saves an opt-out and quiet hours, the server applies them, and a reload shows them")
    void preferencesPanelSavesAndApplies() {
        run("preferencesPanel");
    }

    @Test
    @DisplayName("the developer sign-in mints a user token with the API key")
    void devSignIn() {
        run("devSignIn");
    }

    private static String run(String name) {
        String user = "browser-" + name + "-" + USERS.incrementAndGet();
        ProcessBuilder pb = new ProcessBuilder("node", "run.mjs", name).directory(SCRIPTS.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("NOTIFY_URL", server.baseUri().toString());
        env.put("NOTIFY_API_KEY", server.apiKey());
        env.put("NOTIFY_USER", user);
        env.put("NOTIFY_JWT", server.jwt(user, "task:*"));
        env.put("NOTIFY_SCREENSHOTS", SCREENSHOTS.toString());
        env.put("CHROMIUM", CHROMIUM);
        StringBuilder out = new StringBuilder();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start node: " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    if (line.equals("@@restart")) {
                        w.write(restartAndPublish(user) + "\n");
                        w.flush();
                    }
                }
            } catch (IOException e) {
                synchronized (out) {
                    out.append("(reading the script's output failed: ").append(e).append(")\n");
                }
            }
        }, "browser-" + name);
        reader.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(5000);
                fail("browser case " + name + " did not finish in 120 s:\n" + out);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        String text;
        synchronized (out) {
            text = out.toString();
        }
        if (p.exitValue() != 0) {
            fail("browser case " + name + " failed (exit " + p.exitValue() + "):\n" + text);
        }
        return text;
    }

    // Stops the server, starts it again on the same port and data directory, and publishes two
    // notifications before the page can have reconnected; answers their ids as a JSON array.
    private static String restartAndPublish(String user) {
        int port = server.server().port();
        server.close();
        startServer(port);
        String a = server.publish("{\"recipients\":[\"" + user + "\"],\"title\":\"During the restart 1\"}");
        String b = server.publish("{\"recipients\":[\"" + user + "\"],\"title\":\"During the restart 2\",\"type\":\"warning\"}");
        return "[\"" + a + "\",\"" + b + "\"]";
    }

    private static boolean canRun(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
