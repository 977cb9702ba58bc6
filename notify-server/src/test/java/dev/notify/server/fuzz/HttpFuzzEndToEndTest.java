package dev.notify.server.fuzz;

import dev.notify.server.TestServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end fuzzing of the server's HTTP API with jqwik (issue 13): random query strings,
 * {@code Last-Event-ID} headers and JSON bodies from a logged-in user (u2) and from the publisher
 * never get a 5xx, and never show or change another user's (u1's) notifications. The requests go
 * over a plain socket, so they may hold what no well-behaved client sends.
 * Run longer with {@code -Djqwik.tries.default=100000}.
 */
class HttpFuzzEndToEndTest {

    private static final String SECRET = "secret-of-u1";
    private static final String NOTIFICATIONS = "/api/v1/notifications";
    private static final List<String> USER_GETS = List.of(NOTIFICATIONS, NOTIFICATIONS + "/stats", NOTIFICATIONS + "/poll",
            NOTIFICATIONS + "/stream", NOTIFICATIONS + "/subscribe");

    private static TestServer server;
    private static String u1;
    private static String u2;
    private static String u1Notification;

    @BeforeContainer
    static void startServer() {
        server = TestServer.start(s -> s.set("channels.poll.max-wait", "100ms"));
        u1 = server.jwt("u1");
        u2 = server.jwt("u2", "task:*");
        u1Notification = server.publish("{\"recipients\":[\"u1\"],\"title\":\"" + SECRET + "\",\"data\":{\"n\":1e999999999}}");
    }

    @AfterContainer
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Property
    void anyQueryFromAUserIsAnsweredWithoutA5xxOrAnotherUsersData(@ForAll("userGets") String path, @ForAll("queries") String query,
            @ForAll("lastEventIds") String lastEventId) throws Exception {
        String headers = "Authorization: Bearer " + u2 + "\r\n" + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n");
        RawHttp.Answer a = RawHttp.exchange(server.server().port(), "GET", path + "?" + query, headers, null, 150);
        assertThat(a.status()).as("GET %s?%s -> %s", path, query, a.text()).isBetween(200, 499);
        assertThat(a.text()).doesNotContain(SECRET).doesNotContain(u1Notification);
    }

    @Property
    void anyBodyFromAUserIsAnsweredWithoutA5xxAndLeavesOtherUsersAlone(@ForAll("userWrites") Map.Entry<String, String> target,
            @ForAll("bodies") String body) throws Exception {
        String method = target.getKey();
        String path = target.getValue();
        Map<String, Object> before = server.json(server.get(NOTIFICATIONS + "/stats", u1));
        RawHttp.Answer a = RawHttp.exchange(server.server().port(), method, path, "Authorization: Bearer " + u2
                + "\r\nContent-Type: application/json\r\n", body.getBytes(StandardCharsets.UTF_8), 150);
        assertThat(a.status()).as("%s %s %s -> %s", method, path, body, a.text()).isBetween(200, 499);
        assertThat(a.text()).doesNotContain(SECRET);
        assertThat(server.json(server.get(NOTIFICATIONS + "/stats", u1))).isEqualTo(before);
    }

    @Property
    void anyPublishBodyIsAcceptedOrA4xx(@ForAll("publishPaths") String path, @ForAll("bodies") String body) throws Exception {
        RawHttp.Answer a = RawHttp.exchange(server.server().port(), "POST", path, "Authorization: Bearer " + server.apiKey()
                + "\r\nContent-Type: application/json\r\n", body.getBytes(StandardCharsets.UTF_8), 150);
        assertThat(a.status()).as("POST %s %s -> %s", path, body, a.text()).isBetween(200, 499);
        assertThat(a.text().length()).isLessThan(4096);
    }

    @Property
    void anyQueryFromThePublisherIsAnsweredWithoutA5xx(@ForAll("publisherGets") String path, @ForAll("queries") String query)
            throws Exception {
        RawHttp.Answer a = RawHttp.exchange(server.server().port(), "GET", path + "?" + query,
                "Authorization: Bearer " + server.apiKey() + "\r\n", null, 150);
        assertThat(a.status()).as("GET %s?%s -> %s", path, query, a.text()).isBetween(200, 499);
        assertThat(a.text().length()).isLessThan(8192);
    }

    @Provide
    Arbitrary<String> publisherGets() {
        return Arbitraries.of("/api/v1/dead-letters", "/api/v1/webhooks", "/api/v1/webhooks/x/deliveries", "/api/v1/webhooks/%00",
                NOTIFICATIONS + "/stream/connections");
    }

    @Provide
    Arbitrary<String> userGets() {
        return Arbitraries.oneOf(Arbitraries.of(USER_GETS), Arbitraries.of(NOTIFICATIONS + "/x", NOTIFICATIONS + "/%00", NOTIFICATIONS + "/%",
                NOTIFICATIONS + "/" + "9".repeat(500)));
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> names = Arbitraries.of("after", "wait", "limit", "topics", "lastEventId", "cursor", "unread", "token", "details",
                "%74opics", "limit%00", "");
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("", "0", "-1", "1", "20", "1e999999999", "1e-999999999", "9223372036854775808", "99999999999999999999",
                        "0.05", "true", "task:*", "task:abc,*,", "%", "%zz", "%00", "%0d%0a", "+", "%2B5", "%C0%AE", "%ff%fe", "a%2Cb"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(2000),
                Arbitraries.strings().all().ofMaxLength(50).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)));
        Arbitrary<String> pair = Combinators.combine(names, values, Arbitraries.of("=", "", "==")).as((n, v, eq) -> n + eq + v);
        return pair.list().ofMaxSize(6).map(l -> String.join("&", l));
    }

    @Provide
    Arbitrary<String> lastEventIds() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.of("", "0", "-1", "1e999999999", "9223372036854775808", " 7 ", "x"),
                Arbitraries.strings().numeric().ofMaxLength(2000), Arbitraries.strings().ascii().ofMaxLength(40)
                        .map(s -> s.replaceAll("[\\r\\n]", "")));
    }

    @Provide
    Arbitrary<Map.Entry<String, String>> userWrites() {
        return Arbitraries.oneOf(
                Arbitraries.of(Map.entry("POST", NOTIFICATIONS + "/read"), Map.entry("POST", NOTIFICATIONS + "/delete"),
                        Map.entry("PATCH", NOTIFICATIONS + "/x"), Map.entry("DELETE", NOTIFICATIONS + "/x")),
                Arbitraries.just(0).map(i -> Map.entry("PATCH", NOTIFICATIONS + "/" + u1Notification)),
                Arbitraries.just(0).map(i -> Map.entry("DELETE", NOTIFICATIONS + "/" + u1Notification)));
    }

    @Provide
    Arbitrary<String> publishPaths() {
        return Arbitraries.of(NOTIFICATIONS, NOTIFICATIONS + "/batch", "/api/v1/webhooks");
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> fragments = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"ids\"", "\"all\"", "\"read\"", "\"recipients\"", "\"topic\"", "\"data\"",
                        "\"notifications\"", "\"title\"", "\"priority\"", "\"channels\"", "\"scheduledAt\"", "\"metadata\"", "\"u1\"", "\"u2\"",
                        "\"task:abc\"", "\"high\"", "\"2024-01-15T10:30:00Z\"", "\"sse\"", "\"nope\"", "true", "false", "null", "1e999999999",
                        "-1E-999999999", "1e2147483648", "0.5", "7", "\"\\u0000\"", "\"\\ud800\"", " ", "\u0000", "\"\n\""),
                Arbitraries.strings().numeric().ofMinLength(900).ofMaxLength(1100),
                Arbitraries.integers().between(1, 100).map("["::repeat),
                Arbitraries.just(0).map(i -> "\"" + u1Notification + "\""));
        Arbitrary<String> structured = fragments.list().ofMaxSize(40).map(l -> String.join("", l));
        return Arbitraries.oneOf(structured, structured.map(s -> "{\"ids\":[" + s), structured.map(s -> "{\"recipients\":[\"u2\"],\"data\":" + s),
                Arbitraries.strings().all().ofMaxLength(100));
    }
}
