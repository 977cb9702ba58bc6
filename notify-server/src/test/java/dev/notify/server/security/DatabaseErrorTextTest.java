package dev.notify.server.security;

import dev.notify.api.spi.NotificationStore;
import dev.notify.server.NotifyServer;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 7: a failing database's own words stay in the log; the client of a stream hears none of them. */
class DatabaseErrorTextTest {

    @Test
    void aStreamThatCannotReadTheDatabaseAnswersWithoutTheDatabaseText() throws Exception {
        try (TestServer server = TestServer.start()) {
            String jwt = server.jwt("u-db");
            // the database goes away under a running server (closing the pool is the one way in from a test)
            Field store = NotifyServer.class.getDeclaredField("store");
            store.setAccessible(true);
            ((NotificationStore) store.get(server.server())).close();

            RawHttp.Answer a = RawHttp.send(server.baseUri(), "GET", "/api/v1/notifications/stream", jwt, null);

            assertThat(a.status()).as(a.head() + "\n" + a.body()).isIn(500, 503);
            assertThat(a.head().toLowerCase()).contains("content-type: application/problem+json");
            assertThat(a.body().toLowerCase()).doesNotContain("hikari").doesNotContain("jdbc").doesNotContain("h2")
                    .doesNotContain("closed").doesNotContain("exception");
        }
    }
}
