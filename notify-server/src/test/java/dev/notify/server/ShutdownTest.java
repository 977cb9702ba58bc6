package dev.notify.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Graceful shutdown")
class ShutdownTest {

    @Test
    @DisplayName("open streams are told and closed, new connections refused, and what was accepted survives a restart")
    void closesStreamsAndKeepsWhatWasAccepted(@TempDir Path dataDir) throws Exception {
        String id;
        TestServer server = TestServer.restart(dataDir, s -> { });
        try {
            HttpResponse<InputStream> stream = server.client().send(
                    server.request("/api/v1/notifications/stream", server.jwt("u1")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
                try {
                    for (String l; (l = reader.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(l);
                        }
                    }
                } catch (java.io.IOException e) {
                    // a reset also ends the stream
                }
            });
            id = server.publish("{\"recipients\":[\"u1\"],\"title\":\"kept\"}");
            server.server().close();
            ended.get(15, TimeUnit.SECONDS);
            synchronized (lines) {
                assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(":"));
            }
            assertThatThrownBy(() -> server.get("/health", null)).isInstanceOf(RuntimeException.class);
        } finally {
            server.close();
        }
        try (TestServer again = TestServer.restart(dataDir, s -> { })) {
            Map<String, Object> inbox = again.json(again.get("/api/v1/notifications", again.jwt("u1")));
            assertThat(TestServer.list(inbox, "notifications")).extracting(m -> m.get("id")).containsExactly(id);
        }
    }
}
