package dev.notify.server.internal.web;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.JsonCodec;
import dev.notify.server.internal.ApiException;
import dev.notify.server.internal.Authenticator;
import dev.notify.server.internal.Caller;
import dev.notify.server.internal.Http;
import dev.notify.web.Problems;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/dev/tokens} with the API key: {@code {"user":"u1","topics":["task:*"],"ttl":"1h"}}
 * answers 201 {@code {"token","user","expiresAt"}}, a user JWT signed with the server's secret.
 *
 * <p>It exists for the inbox page's developer sign-in and is off unless the server runs with
 * {@code --dev-tokens}: minting user tokens lets whoever holds the API key read any user's inbox,
 * which a publisher otherwise cannot. Turned off, it answers 404 saying how to turn it on.
 */
final class DevTokenServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Duration MAX_TTL = Duration.ofDays(1);

    private final transient Authenticator auth;
    private final transient JsonCodec json;
    private final transient Clock clock;
    private final boolean enabled;

    DevTokenServlet(Authenticator auth, JsonCodec json, Clock clock, boolean enabled) {
        this.auth = auth;
        this.json = json;
        this.clock = clock;
        this.enabled = enabled;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (!enabled) {
            Problems.write(res, 404, "Not Found", "dev tokens are disabled on this server; start it with --dev-tokens"
                    + " (development only: the API key then mints user tokens)", Map.of());
            return;
        }
        // the auth filter already refuses users here; a servlet that mints user tokens checks again
        if (!(req.getAttribute(Caller.REQUEST_ATTRIBUTE) instanceof Caller.Publisher)) {
            Problems.write(res, 403, "Forbidden", "this endpoint is for publishers (the API key)", Map.of());
            return;
        }
        if (!"POST".equals(req.getMethod())) {
            Problems.write(res, 405, "Method Not Allowed", "this endpoint accepts POST", Map.of("Allow", "POST"));
            return;
        }
        try {
            mint(req, res);
        } catch (ApiException e) {
            Problems.write(res, e.status(), e.title(), e.getMessage(), e.headers());
        }
    }

    private void mint(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Map<String, Object> body = Http.jsonObject(json, Http.body(req, 16 * 1024));
        for (String k : body.keySet()) {
            if (!List.of("user", "topics", "ttl").contains(k)) {
                throw ApiException.badRequest("unknown field '" + k + "'; send {\"user\":\"u1\",\"topics\":[\"task:*\"],\"ttl\":\"1h\"}");
            }
        }
        if (!(body.get("user") instanceof String user) || user.isBlank() || user.length() > 256
                || user.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("field 'user' must be a user id (1 to 256 characters, no control characters)");
        }
        List<String> topics = new ArrayList<>();
        Object t = body.get("topics");
        if (t instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw ApiException.badRequest("field 'topics' must list topics or prefix:* patterns");
                }
                topics.add(s.trim());
            }
        } else if (t != null) {
            throw ApiException.badRequest("field 'topics' must be an array of strings");
        }
        Duration ttl = Duration.ofHours(1);
        if (body.get("ttl") != null) {
            if (!(body.get("ttl") instanceof String s)) {
                throw ApiException.badRequest("field 'ttl' must be a duration such as \"30m\" or \"1h\"");
            }
            try {
                ttl = Config.parseDuration("ttl", s);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            if (ttl.isZero() || ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
                throw ApiException.badRequest("field 'ttl' must be positive and at most 1d, got " + s);
            }
        }
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(user.trim())
                .issueTime(Date.from(now)).expirationTime(Date.from(expires));
        if (!topics.isEmpty()) {
            claims.claim(Authenticator.TOPICS_CLAIM, topics);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", auth.sign(claims.build()));
        out.put("user", user.trim());
        out.put("expiresAt", expires.toString());
        Http.writeJson(res, json, 201, out);
    }
}
