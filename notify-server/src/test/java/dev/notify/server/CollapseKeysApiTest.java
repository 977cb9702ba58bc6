package dev.notify.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Collapse keys through the HTTP API")
class CollapseKeysApiTest {

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String progress(String user, String task, int percent) {
        return server.publish("{\"recipients\":[\"" + user + "\"],\"topic\":\"task:" + task + "\",\"event\":\"task.progress\","
                + "\"collapseKey\":\"task:" + task + "\",\"title\":\"Import " + percent + "%\",\"data\":{\"percent\":" + percent + "}}");
    }

    private List<Map<String, Object>> inbox(String user) {
        return TestServer.list(server.json(server.get("/api/v1/notifications", server.jwt(user))), "notifications");
    }

    @Test
    void theInboxKeepsOneItemPerTaskTheNewestUnreadAgainWithTheCountsRight() {
        String user = "u-" + UUID.randomUUID();
        String jwt = server.jwt(user);
        String first = progress(user, "a", 10);
        progress(user, "b", 10);
        HttpResponse<String> read = server.patch("/api/v1/notifications/" + first, jwt, "{\"read\":true}");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);

        String latest = progress(user, "a", 60);

        List<Map<String, Object>> items = inbox(user);
        assertThat(items).extracting(m -> m.get("title")).containsExactly("Import 60%", "Import 10%");
        assertThat(items.get(0)).containsEntry("id", latest).containsEntry("collapseKey", "task:a").containsEntry("read", false);
        assertThat(server.json(server.get("/api/v1/notifications/stats", jwt)))
                .containsEntry("total", new BigDecimal(2)).containsEntry("unread", new BigDecimal(2)).containsEntry("read", new BigDecimal(0));
    }

    @Test
    void aBatchKeepsTheLastOfAKey() {
        String user = "u-" + UUID.randomUUID();
        HttpResponse<String> r = server.post("/api/v1/notifications/batch", server.apiKey(), "{\"notifications\":["
                + "{\"recipients\":[\"" + user + "\"],\"collapseKey\":\"k\",\"title\":\"one\"},"
                + "{\"recipients\":[\"" + user + "\"],\"collapseKey\":\"k\",\"title\":\"two\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

        assertThat(inbox(user)).extracting(m -> m.get("title")).containsExactly("two");
    }

    @Test
    void aPollThatIsBehindGetsTheNewestEventPerKeyAndResumesAfterTheWholeLog() {
        String user = "u-" + UUID.randomUUID();
        for (int p = 10; p <= 90; p += 20) {
            progress(user, "c", p);
        }
        String done = server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.completed\",\"title\":\"done\"}");

        Map<String, Object> answer = server.json(server.get("/api/v1/notifications/poll?after=0", server.jwt(user)));

        List<Map<String, Object>> events = TestServer.list(answer, "events");
        assertThat(events).extracting(e -> e.get("title")).containsExactly("Import 90%", "done");
        assertThat(events.get(0)).containsEntry("collapse_key", "task:c");
        assertThat(events.get(1)).containsEntry("notification_id", done);
        assertThat(answer.get("last_seq")).isEqualTo(events.get(1).get("id"));
    }

    @Test
    void aCollapseKeyWithSpacesIsRefusedWithAProblem() {
        HttpResponse<String> r = server.post("/api/v1/notifications", server.apiKey(),
                "{\"recipients\":[\"u1\"],\"collapseKey\":\"not a key\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("collapseKey");
    }
}
