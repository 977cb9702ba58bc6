package dev.notify.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Errors outside the API are problem documents too")
class ProblemErrorsTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} {1} answers {2}")
    @CsvSource({
        "GET,    /no/such/page,    404",
        "GET,    /_notify/problem, 404",
        "HEAD,   /no/such/page,    404",
        "DELETE, /no/such/page,    404",
        "POST,   /metrics,         405",
        "DELETE, /health,          405",
        "PUT,    /health/ready,    405",
    })
    void answersWithAProblemDocument(String method, String path, int status) {
        HttpResponse<String> r = server.send(server.request(path, null)
                // a browser asks for HTML first; it still gets the problem document
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        if (!method.equals("HEAD")) {
            Map<String, Object> problem = server.json(r);
            assertThat(problem.get("status").toString()).isEqualTo(String.valueOf(status));
            assertThat(problem).containsKeys("type", "title", "detail");
            assertThat((String) problem.get("type")).startsWith("https://notify.dev/problems/");
            assertThat((String) problem.get("detail")).isNotBlank();
        }
    }

    @Test
    void namesThePathThatIsNotServed() {
        HttpResponse<String> r = server.get("/nothing-here", null);
        assertThat(server.json(r)).containsEntry("title", "Not Found")
                .containsEntry("detail", "nothing is served at /nothing-here; the HTTP API is under /api/v1/");
    }

    @Test
    void anApiErrorKeepsItsOwnDetail() {
        HttpResponse<String> r = server.get("/api/v1/notifications", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    @DisplayName("a request too malformed to reach the servlets (an invalid URI) gets a 400 problem document")
    void aMalformedRequestGetsAProblemDocument() throws Exception {
        try (Socket socket = new Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 400");
            String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
            assertThat(head).contains("content-type: application/problem+json");
            assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).contains("\"status\":400");
        }
    }
}
