package dev.notify.server.channels;

import dev.notify.server.TestServer;
import dev.notify.server.webhook.Receiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Operational events reach an operator's stream on the notify:ops topic, through the real server. */
class OperationalEventsEndToEndTest {

    private static TestServer server;
    private static final HttpClient HTTP = SseClient.http();

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.webhookAllowPrivateNetworks(true));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("a webhook endpoint disabled by a 410 is announced as webhook.endpoint.disabled on notify:ops, to a stream granted that topic")
    void aDisabledEndpointIsAnnouncedOnTheOpsTopic() throws Exception {
        try (Receiver gone = Receiver.start(Receiver.Answer.of(410));
             SseClient ops = SseClient.connect(HTTP, server.uri("/api/v1/notifications/stream?topics=notify:ops"),
                     server.jwt("operator", "notify:ops"), null)) {
            assertThat(ops.status()).isEqualTo(200);
            ops.greeting();
            HttpResponse<String> created = server.post("/api/v1/webhooks", server.apiKey(),
                    "{\"url\":\"" + gone.url("/hook") + "\",\"topics\":[\"ops-test:*\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = (String) server.json(created).get("id");
            Thread.sleep(1100); // the channel's endpoint cache (1 s) learns of the new endpoint
            server.publish("{\"topic\":\"ops-test:1\",\"event\":\"task.failed\",\"channels\":[\"webhook\"]}");

            SseClient.Frame f = ops.nextEvent("webhook.endpoint.disabled");
            Map<String, Object> event = server.server().service().json().parseObject(f.data());
            assertThat(event).containsEntry("topic", "notify:ops").containsEntry("type", "warning");
            assertThat((String) event.get("title")).contains(id).contains("410");
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) event.get("data");
            assertThat(data).containsEntry("endpoint_id", id).containsEntry("reason", "gone").containsEntry("source", "webhook");
        }
    }
}
