package dev.notify.server;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServerSmokeTest {

    @Test
    void publishesAndListsTheInbox() {
        try (TestServer server = TestServer.start()) {
            String id = server.publish("{\"recipients\":[\"u1\"],\"title\":\"Hello\",\"data\":{\"percent\":50}}");
            HttpResponse<String> inbox = server.get("/api/v1/notifications", server.jwt("u1"));
            assertThat(inbox.statusCode()).isEqualTo(200);
            Map<String, Object> body = server.json(inbox);
            assertThat(TestServer.list(body, "notifications")).extracting(m -> m.get("id")).containsExactly(id);
            assertThat(server.get("/health", null).statusCode()).isEqualTo(200);
        }
    }
}
