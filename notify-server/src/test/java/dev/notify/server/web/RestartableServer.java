package dev.notify.server.web;

import dev.notify.server.ServerSettings;
import dev.notify.server.TestServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A test server that a browser case can have restarted on the same port and data directory, so
 * the page's client reconnects to "the same server" and resumes from its event log.
 */
final class RestartableServer implements AutoCloseable {

    private final Path dataDir;
    private final Consumer<ServerSettings.Builder> settings;
    private final Consumer<TestServer> onStart;
    private volatile TestServer server;

    /** Starts a server on a free port with these settings; {@code onStart} runs after every start. */
    RestartableServer(Consumer<ServerSettings.Builder> settings, Consumer<TestServer> onStart) {
        try {
            this.dataDir = Files.createTempDirectory("notify-browser-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.settings = settings;
        this.onStart = onStart;
        start(0);
    }

    private void start(int port) {
        server = TestServer.restart(dataDir, settings.andThen(b -> b.port(port)));
        onStart.accept(server);
    }

    /** The running server. */
    TestServer server() {
        return server;
    }

    /**
     * Stops the server, starts it again on the same port and data directory, and publishes two
     * notifications to the user before a page can have reconnected.
     *
     * @return their ids as a JSON array, the answer a script's {@code @@restart} waits for
     */
    String restartAndPublish(String user) {
        int port = server.server().port();
        server.close();
        start(port);
        String a = server.publish("{\"recipients\":[\"" + user + "\"],\"title\":\"During the restart 1\"}");
        String b = server.publish("{\"recipients\":[\"" + user + "\"],\"title\":\"During the restart 2\",\"type\":\"warning\"}");
        return "[\"" + a + "\",\"" + b + "\"]";
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            TestServer.deleteTree(dataDir);
        }
    }
}
