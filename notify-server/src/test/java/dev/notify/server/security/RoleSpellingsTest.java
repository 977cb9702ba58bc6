package dev.notify.server.security;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #13 item 3: the role of a request is decided on the path Jetty routes on, so no spelling
 * of a publisher path (percent-encoded, doubled slash, dot segments, {@code ;param}) lets a user
 * credential through, and each publisher servlet checks the role itself as well.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Publisher paths, however spelled")
class RoleSpellingsTest {

    private static final String VICTIM = "victim";
    private static final String NOTIFICATION = "{\"recipients\":[\"" + VICTIM + "\"],\"title\":\"forged\"}";

    /** Method, canonical path and body of every publisher endpoint. */
    static final List<String[]> PUBLISHER_ENDPOINTS = List.of(
            new String[] {"POST", "/api/v1/notifications", NOTIFICATION},
            new String[] {"POST", "/api/v1/notifications/batch", "{\"notifications\":[" + NOTIFICATION + "]}"},
            new String[] {"GET", "/api/v1/notifications/stream/connections", null},
            new String[] {"GET", "/api/v1/dead-letters", null},
            new String[] {"POST", "/api/v1/dead-letters/1/replay", "{}"},
            new String[] {"GET", "/api/v1/webhooks", null},
            new String[] {"POST", "/api/v1/webhooks", "{\"url\":\"https://example.com/hook\"}"},
            new String[] {"POST", "/api/v1/dev/tokens", "{\"user\":\"" + VICTIM + "\"}"});

    private TestServer server;
    private String userJwt;
    private String streamToken;

    @BeforeAll
    void start() {
        server = TestServer.start(s -> s.devTokens(true));
        userJwt = server.jwt("mallory");
        Map<String, Object> minted = server.json(server.post("/api/v1/stream-tokens", userJwt, "{}"));
        streamToken = (String) minted.get("token");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** The spellings of a path that a router may take for the path itself. */
    static List<String> spellings(String path) {
        List<String> out = new ArrayList<>();
        String[] segments = path.substring(1).split("/");
        int last = segments.length - 1;
        String lastSegment = segments[last];
        String parent = path.substring(0, path.length() - lastSegment.length());
        // percent-encoded: the last letter of the last segment, and a letter of the first one
        char c = lastSegment.charAt(lastSegment.length() - 1);
        out.add(parent + lastSegment.substring(0, lastSegment.length() - 1) + String.format("%%%02x", (int) c));
        out.add(parent + lastSegment.substring(0, lastSegment.length() - 1) + String.format("%%%02X", (int) c));
        out.add("/%61pi" + path.substring(4));
        // doubled slashes
        out.add("/" + path);
        out.add(parent + "/" + lastSegment);
        // dot segments
        out.add(parent + "./" + lastSegment);
        out.add(parent + "x/../" + lastSegment);
        out.add("/api/v1/../v1" + path.substring("/api/v1".length()));
        out.add(path + "/.");
        // path parameters
        out.add(path + ";x=1");
        out.add(parent.substring(0, parent.length() - 1) + ";x=1/" + lastSegment);
        out.add(path + "/");
        return out;
    }

    Stream<String[]> everySpellingWithAUserCredential() {
        List<String[]> cases = new ArrayList<>();
        for (String credentialKind : List.of("user JWT", "stream token")) {
            for (String[] e : PUBLISHER_ENDPOINTS) {
                for (String spelling : spellings(e[1])) {
                    cases.add(new String[] {credentialKind, e[0], spelling, e[2]});
                }
                cases.add(new String[] {credentialKind, e[0], e[1], e[2]});
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} {2} with a {0}")
    @MethodSource("everySpellingWithAUserCredential")
    void isRefusedToAUser(String credentialKind, String method, String target, String body) throws Exception {
        String credential = credentialKind.equals("user JWT") ? userJwt : streamToken;

        RawHttp.Answer a = RawHttp.send(server.baseUri(), method, target, credential, body);

        assertThat(a.status()).as(method + " " + target + " answered " + a.head() + "\n" + a.body()).isBetween(400, 499);
        assertThat(a.body()).doesNotContain("\"token\"").doesNotContain("\"total\"").doesNotContain("\"deadLetters\"")
                .doesNotContain("\"endpoints\"").doesNotContain("\"duplicate\"");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("canonicalEndpoints")
    void isServedToThePublisherOnItsCanonicalPath(String method, String path, String body) throws Exception {
        RawHttp.Answer a = RawHttp.send(server.baseUri(), method, path, server.apiKey(), body);

        // the replay of a dead letter that does not exist is 404 and a webhook URL may not resolve here: neither is a refusal of the role
        assertThat(a.status()).as(method + " " + path + " answered " + a.head() + "\n" + a.body()).isNotIn(401, 403).isLessThan(500);
    }

    Stream<String[]> canonicalEndpoints() {
        return PUBLISHER_ENDPOINTS.stream();
    }
}
