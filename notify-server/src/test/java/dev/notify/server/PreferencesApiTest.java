package dev.notify.server;

import dev.notify.api.DeliveryStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Preferences through the HTTP API")
class PreferencesApiTest {

    private static final String OPT_OUT_OF_MARKETING = "{\"optOuts\":[{\"events\":[\"marketing.*\"],\"channels\":[\"inbox\",\"live\"]}]}";

    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<String> put(String pathAndQuery, String bearer, String json) {
        return server.send(server.request(pathAndQuery, bearer).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static String newUser() {
        return "u-" + UUID.randomUUID();
    }

    @Test
    void aUserReadsAndReplacesTheirOwnPreferences() {
        String jwt = server.jwt(newUser());
        assertThat(server.json(server.get("/api/v1/preferences", jwt))).containsEntry("muted", false).containsEntry("optOuts", List.of());

        HttpResponse<String> saved = put("/api/v1/preferences", jwt, "{\"muted\":false," + OPT_OUT_OF_MARKETING.substring(1, OPT_OUT_OF_MARKETING.length() - 1)
                + ",\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timeZone\":\"Europe/Berlin\"}}");

        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        Map<String, Object> back = server.json(server.get("/api/v1/preferences", jwt));
        assertThat(back).isEqualTo(server.json(saved));
        assertThat(TestServer.list(back, "optOuts")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("events", List.of("marketing.*")).containsEntry("channels", List.of("inbox", "live")));
        assertThat(back.get("quietHours")).isEqualTo(Map.of("start", "22:00", "end", "07:00", "timeZone", "Europe/Berlin", "critical", false));
    }

    @Test
    void anOptedOutEventSkipsTheInboxAndTheLiveStreamAndItsDeliveryRecordsSayWhy() {
        String user = newUser();
        String jwt = server.jwt(user);
        assertThat(put("/api/v1/preferences", jwt, OPT_OUT_OF_MARKETING).statusCode()).isEqualTo(200);

        String promo = server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"marketing.promo\",\"title\":\"Sale\"}");
        String receipt = server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"marketing.receipt\",\"title\":\"Receipt\",\"transactional\":true}");
        String task = server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.completed\",\"title\":\"Done\"}");

        assertThat(server.json(server.get("/api/v1/notifications/stats", jwt))).containsEntry("total", new BigDecimal(2));
        List<Map<String, Object>> events = TestServer.list(server.json(server.get("/api/v1/notifications/poll?after=0", jwt)), "events");
        assertThat(events).extracting(e -> e.get("notification_id")).containsExactly(receipt, task);
        assertThat(server.server().service().deliveries(promo)).isNotEmpty().allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(d.target()).isEqualTo(user);
            assertThat(d.lastError()).hasValueSatisfying(e -> assertThat(e).contains("opted out of events [marketing.*]"));
        });
    }

    @Test
    void aPublisherManagesAUsersPreferencesByName() {
        String user = newUser();
        HttpResponse<String> saved = put("/api/v1/preferences?user=" + user, server.apiKey(), "{\"muted\":true}");
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);

        assertThat(server.json(server.get("/api/v1/preferences?user=" + user, server.apiKey()))).containsEntry("muted", true);
        assertThat(server.json(server.get("/api/v1/preferences", server.jwt(user)))).containsEntry("muted", true);
        assertThat(server.server().service().preferences().get(user).muted()).isTrue();
    }

    @Test
    void refusesAnotherUsersPreferencesAPublisherWithoutAUserAndBadBodies() {
        HttpResponse<String> foreign = server.get("/api/v1/preferences?user=someone-else", server.jwt(newUser()));
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(server.get("/api/v1/preferences", server.apiKey()).statusCode()).isEqualTo(400);

        HttpResponse<String> bad = put("/api/v1/preferences", server.jwt(newUser()), "{\"quietHours\":{\"start\":\"25:00\",\"end\":\"07:00\",\"timeZone\":\"Mars/Base\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(bad.body()).contains("quietHours");
        HttpResponse<String> unknown = put("/api/v1/preferences", server.jwt(newUser()), "{\"mute\":true}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown field 'mute'");
    }
}
