package dev.notify.server.cli;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code notify-server publish} from a shell script: the id on stdout and status 0, or the problem on stderr and status 1. */
class PublishCommandTest {

    private static TestServer server;

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

    private record Result(int status, String out, String err) {
    }

    private static Result publish(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.notify.server.Main", "publish"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("NOTIFY_"));
        pb.redirectErrorStream(false);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    @Test
    @DisplayName("publishes and prints the new id, which is in the recipient's inbox")
    void printsTheId() throws Exception {
        Result r = publish("--url", server.baseUri().toString(), "--api-key", server.apiKey(), "--to", "cli-user",
                "--event", "task.progress", "--type", "success", "--title", "Deployed", "--body", "v1.2.3 is live",
                "--data", "{\"task_id\":\"deploy-1\",\"percent\":100}");
        assertThat(r.status()).as(r.err()).isZero();
        String id = r.out().trim();
        assertThat(id).isNotEmpty();
        Map<String, Object> n = server.json(server.get("/api/v1/notifications/" + id, server.jwt("cli-user")));
        assertThat(n).containsEntry("title", "Deployed").containsEntry("event", "task.progress").containsEntry("type", "success");
        assertThat(n.get("data").toString()).contains("deploy-1");
    }

    @Test
    @DisplayName("a refused publish exits 1 with the server's problem detail on stderr")
    void refusedPublishExitsOne() throws Exception {
        Result bad = publish("--url", server.baseUri().toString(), "--api-key", server.apiKey(), "--to", "cli-user", "--priority", "urgent");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).contains("400").contains("priority");

        Result wrongKey = publish("--url", server.baseUri().toString(), "--api-key", "wrong-key-0123456789", "--to", "cli-user", "--title", "x");
        assertThat(wrongKey.status()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("401");
    }

    @Test
    @DisplayName("missing recipients or an unreachable server are reported without a stack trace")
    void usageAndConnectionProblems() throws Exception {
        Result none = publish("--url", server.baseUri().toString(), "--api-key", server.apiKey(), "--title", "to nobody");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("--to").doesNotContain("Exception");

        Result down = publish("--url", "http://127.0.0.1:9", "--api-key", server.apiKey(), "--to", "u1", "--title", "x");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach").doesNotContain("\tat ");
    }
}
