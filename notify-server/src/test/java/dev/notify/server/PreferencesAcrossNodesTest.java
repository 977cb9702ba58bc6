package dev.notify.server;

import dev.notify.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two servers on one PostgreSQL, joined by its LISTEN/NOTIFY signal: a user's preferences saved on
 * one apply on the other at once, although each trusts its preference cache for an hour here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Preferences across two nodes on one PostgreSQL")
class PreferencesAcrossNodesTest {

    private TestServer a;
    private TestServer b;

    @BeforeAll
    void start() {
        String db = PostgresServer.shared().createDatabase();
        Map<String, String> hourLongCache = Map.of("preferences.cache-ttl", "1h");
        a = TestServer.start(s -> s.dbUrl(db).config(hourLongCache));
        b = TestServer.start(s -> s.dbUrl(db).config(hourLongCache));
    }

    @AfterAll
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static String publish(TestServer on, String user) {
        return on.publish("{\"recipients\":[\"" + user + "\"],\"event\":\"news.weekly\",\"title\":\"News\"}");
    }

    private static boolean muted(TestServer on, String id) {
        return on.server().service().deliveries(id).stream().anyMatch(d -> d.lastError().filter(e -> e.contains("muted")).isPresent());
    }

    @Test
    void aUserWhoMutesOnNodeAIsMutedOnNodeBWithinMilliseconds() {
        String user = "u-" + UUID.randomUUID();
        assertThat(muted(b, publish(b, user))).as("B has looked the user up and cached: no preferences").isFalse();

        HttpResponse<String> saved = a.send(a.request("/api/v1/preferences", a.jwt(user)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"muted\":true}")).build());
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        long savedAt = System.nanoTime();

        // each look publishes once more; within seconds (not the hour B trusts its cache) only the hint explains it
        boolean mutedOnB = false;
        while (!mutedOnB && System.nanoTime() - savedAt < TimeUnit.SECONDS.toNanos(5)) {
            mutedOnB = muted(b, publish(b, user));
            if (!mutedOnB) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }

        assertThat(mutedOnB).as("muted on B within 5 s").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - savedAt)).as("ms from the save on A").isLessThan(5000);
    }
}
