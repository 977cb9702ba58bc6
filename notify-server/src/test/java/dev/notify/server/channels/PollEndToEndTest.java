package dev.notify.server.channels;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Polling and long polling over real HTTP against the real server. */
class PollEndToEndTest {

    private static final String POLL = "/api/v1/notifications/poll";
    private static final AtomicInteger USERS = new AtomicInteger();

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String newUser() {
        return "poll-user-" + USERS.incrementAndGet();
    }

    private static String publishTo(String user, String title) {
        return server.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"task.progress\",\"title\":\"" + title + "\"}");
    }

    private static Map<String, Object> poll(String query, String jwt) {
        HttpResponse<String> r = server.get(POLL + query, jwt);
        assertThat(r.statusCode()).as("poll %s: %s", query, r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return server.json(r);
    }

    private static long lastSeq(Map<String, Object> answer) {
        return ((BigDecimal) answer.get("last_seq")).longValueExact();
    }

    @Test
    @DisplayName("a poll answers the user's events with sequence ids, and last_seq continues from there")
    void pollsEventsAfterASequence() {
        String user = newUser();
        String jwt = server.jwt(user);
        String first = publishTo(user, "one");
        String second = publishTo(user, "two");
        publishTo(newUser(), "someone else's");

        Map<String, Object> answer = poll("", jwt);
        List<Map<String, Object>> events = TestServer.list(answer, "events");
        assertThat(events).extracting(e -> e.get("notification_id")).containsExactly(first, second);
        assertThat(events).allSatisfy(e -> {
            assertThat(e).containsEntry("event", "task.progress").containsKeys("id", "title", "createdAt", "timestamp");
            assertThat(e.get("id")).isInstanceOf(BigDecimal.class);
        });
        long last = lastSeq(answer);
        assertThat(last).isEqualTo(((BigDecimal) events.get(1).get("id")).longValueExact());

        Map<String, Object> again = poll("?after=" + last, jwt);
        assertThat(TestServer.list(again, "events")).isEmpty();
        assertThat(lastSeq(again)).isEqualTo(last);

        String third = publishTo(user, "three");
        assertThat(TestServer.list(poll("?after=" + last, jwt), "events")).extracting(e -> e.get("notification_id")).containsExactly(third);
    }

    @Test
    void limitPagesThroughTheEvents() {
        String user = newUser();
        String jwt = server.jwt(user);
        for (int i = 0; i < 5; i++) {
            publishTo(user, "n" + i);
        }
        Map<String, Object> page1 = poll("?limit=2", jwt);
        Map<String, Object> page2 = poll("?limit=2&after=" + lastSeq(page1), jwt);
        Map<String, Object> page3 = poll("?limit=2&after=" + lastSeq(page2), jwt);
        assertThat(TestServer.list(page1, "events")).extracting(e -> e.get("title")).containsExactly("n0", "n1");
        assertThat(TestServer.list(page2, "events")).extracting(e -> e.get("title")).containsExactly("n2", "n3");
        assertThat(TestServer.list(page3, "events")).extracting(e -> e.get("title")).containsExactly("n4");
    }

    @Test
    @DisplayName("a long poll returns as soon as an event arrives")
    void aLongPollReturnsPromptlyWhenAnEventArrives() throws Exception {
        String user = newUser();
        String jwt = server.jwt(user);
        long after = lastSeq(poll("", jwt));
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> waiting = server.client().sendAsync(
                server.request(POLL + "?wait=20&after=" + after, jwt).GET().build(), HttpResponse.BodyHandlers.ofString());
        awaitWaiting(user, 1);
        assertThat(waiting).isNotDone();
        String id = publishTo(user, "wake up");
        HttpResponse<String> r = waiting.get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(TestServer.list(server.json(r), "events")).extracting(e -> e.get("notification_id")).containsExactly(id);
        assertThat(tookMs).as("answered long before the 20 s wait").isLessThan(10_000);
        awaitWaiting(user, 0);
    }

    @Test
    @DisplayName("a long poll with nothing to say returns empty once the wait is over")
    void aLongPollReturnsEmptyAfterTheWait() {
        String user = newUser();
        long start = System.nanoTime();
        Map<String, Object> answer = poll("?wait=1", server.jwt(user));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(TestServer.list(answer, "events")).isEmpty();
        assertThat(lastSeq(answer)).isZero();
        assertThat(tookMs).isBetween(900L, 10_000L);
        awaitWaiting(user, 0);
    }

    @Test
    void aLongPollWithEventsAlreadyThereAnswersAtOnce() {
        String user = newUser();
        publishTo(user, "already here");
        long start = System.nanoTime();
        Map<String, Object> answer = poll("?wait=30", server.jwt(user));
        assertThat(TestServer.list(answer, "events")).hasSize(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }

    @Test
    void topicPollsSeeTheirTopicsWithinTheGrants() {
        String user = newUser();
        String jwt = server.jwt(user, "task:*");
        server.publish("{\"topic\":\"task:poll1\",\"event\":\"task.completed\",\"title\":\"done\"}");
        Map<String, Object> answer = poll("?topics=task:poll1", jwt);
        assertThat(TestServer.list(answer, "events")).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("task_id", "poll1").containsEntry("event", "task.completed"));

        HttpResponse<String> forbidden = server.get(POLL + "?topics=billing:x", jwt);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("billing:x");
    }

    @Test
    void badParametersAreBadRequestsWithAProblem() {
        String jwt = server.jwt(newUser());
        for (String q : List.of("?after=-1", "?after=soon", "?wait=-2", "?wait=3600", "?wait=x", "?limit=0", "?limit=100000", "?topics=a%20b")) {
            HttpResponse<String> r = server.get(POLL + q, jwt);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).as(q).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(server.json(r)).as(q).containsKeys("title", "status", "detail");
        }
    }

    @Test
    void withoutCredentialsPollingIsRefused() {
        assertThat(server.get(POLL, null).statusCode()).isEqualTo(401);
    }

    private static void awaitWaiting(String user, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.server().service().hub().connectionCount(user) != expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertThat(server.server().service().hub().connectionCount(user)).as("waiting polls of %s", user).isEqualTo(expected);
    }
}
