package dev.notify.server.web;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The pages and the client are served without credentials, with the right types, revalidation and a strict CSP. */
class WebPagesTest {

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

    @Test
    @DisplayName("/, /inbox and /admin are HTML pages with a script-only-from-here Content-Security-Policy")
    void pagesAreHtmlWithACsp() {
        for (String path : new String[] {"/", "/inbox", "/admin"}) {
            HttpResponse<String> r = server.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(type(r)).as(path).isEqualTo("text/html;charset=utf-8");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'")
                    .contains("frame-ancestors 'none'");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.body()).contains("<script type=\"module\"");
        }
        assertThat(server.get("/admin", null).body()).contains("Dead letters");
    }

    @Test
    @DisplayName("/notify-client.js is a JavaScript module that any origin may import, revalidated by ETag")
    void clientIsServedWithAnEtag() {
        HttpResponse<String> r = server.get("/notify-client.js", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(type(r)).isEqualTo("text/javascript;charset=utf-8");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.body()).contains("export function connect(");
        String etag = r.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = server.send(server.request("/notify-client.js", null).header("If-None-Match", etag).GET().build());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    @DisplayName("assets come only from the web folder: unknown names and path tricks get 404")
    void onlyKnownFilesAreServed() {
        assertThat(type(server.get("/ui/style.css", null))).isEqualTo("text/css;charset=utf-8");
        assertThat(server.get("/ui/inbox.js", null).statusCode()).isEqualTo(200);
        for (String path : new String[] {"/ui/nope.js", "/ui/../notify-client.js", "/ui/%2e%2e/inbox.html", "/ui/README-client.md",
                "/ui/x.class", "/web/inbox.html", "/inbox.html", "/dev/notify/server/Main.class"}) {
            assertThat(server.get(path, null).statusCode()).as(path).isIn(400, 404);
        }
        HttpResponse<String> head = server.send(server.request("/admin", null).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("POST /api/v1/dev/tokens is off by default and says how to turn it on")
    void devTokensAreOffByDefault() {
        HttpResponse<String> r = server.post("/api/v1/dev/tokens", server.apiKey(), "{\"user\":\"u1\"}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("--dev-tokens");
        assertThat(server.post("/api/v1/dev/tokens", null, "{\"user\":\"u1\"}").statusCode()).isEqualTo(401);
        assertThat(server.post("/api/v1/dev/tokens", server.jwt("u1"), "{\"user\":\"u2\"}").statusCode()).isEqualTo(403);
    }

    @Test
    @DisplayName("with --dev-tokens the API key mints a user token that reads that user's inbox, and only the API key may")
    void devTokensMintUserTokens() {
        try (TestServer dev = TestServer.start(b -> b.devTokens(true))) {
            dev.publish("{\"recipients\":[\"dev-user\"],\"title\":\"hello\"}");
            HttpResponse<String> r = dev.post("/api/v1/dev/tokens", dev.apiKey(), "{\"user\":\"dev-user\",\"topics\":[\"task:*\"],\"ttl\":\"10m\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            String token = (String) dev.json(r).get("token");
            HttpResponse<String> inbox = dev.get("/api/v1/notifications", token);
            assertThat(inbox.statusCode()).isEqualTo(200);
            assertThat(inbox.body()).contains("hello");

            assertThat(dev.post("/api/v1/dev/tokens", token, "{\"user\":\"someone-else\"}").statusCode()).isEqualTo(403);
            assertThat(dev.post("/api/v1/dev/tokens", dev.apiKey(), "{\"user\":\"u\",\"ttl\":\"2d\"}").statusCode()).isEqualTo(400);
            assertThat(dev.post("/api/v1/dev/tokens", dev.apiKey(), "{\"usr\":\"u\"}").body()).contains("unknown field 'usr'");
        }
    }

    private static String type(HttpResponse<String> r) {
        return r.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }
}
