package dev.notify.server.web;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox and admin pages in real headless Chromium against a real server: each test runs one
 * case of {@code src/test/browser/run.mjs} with Node and playwright-core, driving Debian's
 * {@code chromium}. Screenshots land in {@code target/screenshots/}.
 *
 * <p>Needs {@code apt-get install -y chromium nodejs npm} and
 * {@code npm ci --prefix notify-server/src/test/browser}; without them every test fails saying so.
 */
class BrowserTest {

    private static final AtomicInteger USERS = new AtomicInteger();

    private static RestartableServer servers;
    private static TestServer server;
    private static FlakyChannel flaky;

    @BeforeAll
    static void start() {
        BrowserScript.requireBrowser();
        servers = new RestartableServer(b -> b.devTokens(true), s -> {
            server = s;
            flaky = new FlakyChannel();
            s.server().service().registerChannel(flaky);
        });
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
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
    @DisplayName("counts read before \"Mark all read\" reached the server and answered after it leave the bell at 0")
    void staleCountsDoNotUndoMarkAllRead() {
        run("staleCounts");
    }

    @Test
    @DisplayName("over SSE and over the WebSocket the bell follows pushed counts: live arrivals fetch none")
    void streamedArrivalsFetchNoCounts() {
        run("streamedCounts");
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
        return BrowserScript.run("run.mjs", name, Map.of(
                "NOTIFY_URL", server.baseUri().toString(),
                "NOTIFY_API_KEY", server.apiKey(),
                "NOTIFY_USER", user,
                "NOTIFY_JWT", server.jwt(user, "task:*")), command -> command.equals("restart") ? servers.restartAndPublish(user) : null);
    }
}
