package dev.notify.server.fuzz;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the end-to-end fuzzers (HttpFuzzEndToEndTest, WsFuzzEndToEndTest) found, kept as plain tests (issue 13). */
class FuzzFindingsTest {

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

    @Test
    @DisplayName("a query string with a broken percent escape answers 400 problem+json, not 500")
    void brokenPercentEscapeIsA400() throws Exception {
        for (String query : new String[] {"after%", "token%zz=1", "%", "limit=%2"}) {
            RawHttp.Answer a = RawHttp.exchange(server.server().port(), "GET", "/api/v1/notifications?" + query,
                    "Authorization: Bearer " + server.jwt("u2") + "\r\n", null, 100);
            assertThat(a.status()).as(query).isEqualTo(400);
            assertThat(a.text()).contains("application/problem+json").contains("not properly percent-encoded");
        }
    }
}
