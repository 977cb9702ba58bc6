package dev.notify.channel.webhook.internal;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.Excerpts;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.Publisher;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.DeliveryLog;
import dev.notify.api.spi.JsonException;
import dev.notify.api.spi.WebhookEndpointStore;
import dev.notify.channel.webhook.WebhookSignatures;
import dev.notify.web.Problems;
import dev.notify.web.RefusedBodies;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The endpoint registry API (publishers only; the host authenticates, this servlet checks the
 * {@link Publisher} request attribute):
 *
 * <pre>
 * POST   /api/v1/webhooks                      {"url","events","topics","description"} → 201, with the secret once
 * GET    /api/v1/webhooks                      {"webhooks":[...]} (never secrets)
 * GET    /api/v1/webhooks/{id}                 one endpoint (never its secret)
 * PATCH  /api/v1/webhooks/{id}                 any of url, events, topics, description, enabled
 * DELETE /api/v1/webhooks/{id}                 204
 * POST   /api/v1/webhooks/{id}/disable|enable  the endpoint; enabling clears its failure run
 * POST   /api/v1/webhooks/{id}/rotate-secret   {"secret", "previousSecretExpiresAt"}: both sign until then
 * GET    /api/v1/webhooks/{id}/deliveries      {"deliveries":[... with "attempts":[...]], "nextCursor"}
 * </pre>
 * Errors are {@code application/problem+json}.
 */
final class WebhookServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_FILTERS = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final transient WebhookChannel channel;
    private final transient WebhookEndpointStore store;

    WebhookServlet(WebhookChannel channel) {
        this.channel = channel;
        this.store = channel.context().webhookEndpoints();
    }

    /** An error answer. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String title;

        Problem(int status, String title, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.title = title;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        try {
            if (!(req.getAttribute(Publisher.REQUEST_ATTRIBUTE) instanceof Publisher)) {
                throw new Problem(403, "Forbidden", "the webhook API is for publishers (the API key)");
            }
            route(req, res);
        } catch (Problem p) {
            problem(res, p.status, p.title, p.getMessage());
        } catch (RuntimeException e) {
            channel.context().logger().log(System.Logger.Level.ERROR, "webhook API failed on " + req.getMethod() + " "
                    + req.getRequestURI(), e);
            problem(res, 500, "Internal Server Error", "the webhook API failed; see the server log");
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath() == null ? 0 : req.getContextPath().length());
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String base = channel.apiPath();
        String method = req.getMethod();
        if (path.equals(base)) {
            switch (method) {
                case "POST" -> create(req, res);
                case "GET" -> list(res);
                default -> throw notAllowed("GET, POST");
            }
            return;
        }
        if (!path.startsWith(base + "/")) {
            throw new Problem(404, "Not Found", "no endpoint at " + path);
        }
        String[] parts = path.substring(base.length() + 1).split("/");
        String id = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        if (parts.length == 1) {
            switch (method) {
                case "GET" -> json(res, 200, view(find(id), false));
                case "PATCH", "PUT" -> update(req, res, find(id));
                case "DELETE" -> {
                    if (!store.delete(id)) {
                        throw notFound(id);
                    }
                    channel.changed(id);
                    res.setStatus(204);
                }
                default -> throw notAllowed("GET, PATCH, DELETE");
            }
            return;
        }
        if (parts.length == 2) {
            String action = parts[1];
            if (action.equals("deliveries")) {
                if (!method.equals("GET")) {
                    throw notAllowed("GET");
                }
                deliveries(req, res, find(id));
                return;
            }
            if (!method.equals("POST")) {
                throw notAllowed("POST");
            }
            switch (action) {
                case "enable" -> json(res, 200, view(setEnabled(find(id), true), false));
                case "disable" -> json(res, 200, view(setEnabled(find(id), false), false));
                case "rotate-secret" -> rotate(res, find(id));
                default -> throw new Problem(404, "Not Found", "no action '" + action + "'; use enable, disable, rotate-secret or deliveries");
            }
            return;
        }
        throw new Problem(404, "Not Found", "no endpoint at " + path);
    }

    // ---- actions ------------------------------------------------------------------------------

    private void create(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Map<String, Object> body = body(req);
        rejectUnknown(body, Set.of("url", "events", "topics", "description", "enabled"));
        Object url = body.get("url");
        if (!(url instanceof String u) || u.isBlank()) {
            throw badRequest("url is required: the http(s) URL deliveries are POSTed to");
        }
        String checked = checkUrl(u.trim());
        Instant now = channel.context().clock().instant();
        String secret = newSecret();
        WebhookEndpoint e = new WebhookEndpoint(newId(), checked, secret, Optional.empty(), Optional.empty(),
                filters(body, "topics", Notification.MAX_TOPIC_LENGTH), filters(body, "events", Notification.MAX_EVENT_LENGTH),
                description(body, ""), bool(body, "enabled", true), 0, Optional.empty(), now, now);
        WebhookEndpoint stored = store.create(e);
        channel.changed(stored.id());
        Map<String, Object> out = view(stored, false);
        out.put("secret", secret); // the only time it is shown
        res.setHeader("Location", channel.apiPath() + "/" + stored.id());
        json(res, 201, out);
    }

    private void list(HttpServletResponse res) throws IOException {
        List<Map<String, Object>> items = new ArrayList<>();
        for (WebhookEndpoint e : store.list()) {
            items.add(view(e, false));
        }
        json(res, 200, Map.of("webhooks", items));
    }

    private void update(HttpServletRequest req, HttpServletResponse res, WebhookEndpoint e) throws IOException {
        Map<String, Object> body = body(req);
        rejectUnknown(body, Set.of("url", "events", "topics", "description", "enabled"));
        String url = e.url();
        if (body.containsKey("url")) {
            if (!(body.get("url") instanceof String u) || u.isBlank()) {
                throw badRequest("url must be a non-empty string");
            }
            url = checkUrl(u.trim());
        }
        boolean enabled = bool(body, "enabled", e.enabled());
        boolean reenabled = enabled && !e.enabled();
        WebhookEndpoint updated;
        synchronized (channel.lockFor(e.id())) {
            WebhookEndpoint cur = find(e.id());
            updated = new WebhookEndpoint(cur.id(), url, cur.secret(), cur.previousSecret(), cur.previousSecretExpiresAt(),
                    body.containsKey("topics") ? filters(body, "topics", Notification.MAX_TOPIC_LENGTH) : cur.topics(),
                    body.containsKey("events") ? filters(body, "events", Notification.MAX_EVENT_LENGTH) : cur.events(),
                    description(body, cur.description()), enabled,
                    reenabled ? 0 : cur.consecutiveFailures(), reenabled ? Optional.empty() : cur.failingSince(),
                    cur.createdAt(), channel.context().clock().instant());
            updated = store.update(updated).orElseThrow(() -> notFound(e.id()));
        }
        channel.changed(updated.id());
        json(res, 200, view(updated, false));
    }

    private WebhookEndpoint setEnabled(WebhookEndpoint e, boolean enabled) {
        WebhookEndpoint updated;
        synchronized (channel.lockFor(e.id())) {
            WebhookEndpoint cur = find(e.id());
            boolean reenabled = enabled && !cur.enabled();
            updated = store.update(new WebhookEndpoint(cur.id(), cur.url(), cur.secret(), cur.previousSecret(),
                    cur.previousSecretExpiresAt(), cur.topics(), cur.events(), cur.description(), enabled,
                    reenabled ? 0 : cur.consecutiveFailures(), reenabled ? Optional.empty() : cur.failingSince(),
                    cur.createdAt(), channel.context().clock().instant())).orElseThrow(() -> notFound(e.id()));
        }
        channel.changed(updated.id());
        return updated;
    }

    private void rotate(HttpServletResponse res, WebhookEndpoint e) throws IOException {
        Instant now = channel.context().clock().instant();
        Instant until = now.plus(channel.settings().secretRotationWindow());
        String secret = newSecret();
        synchronized (channel.lockFor(e.id())) {
            WebhookEndpoint cur = find(e.id());
            store.update(new WebhookEndpoint(cur.id(), cur.url(), secret, Optional.of(cur.secret()), Optional.of(until),
                    cur.topics(), cur.events(), cur.description(), cur.enabled(), cur.consecutiveFailures(),
                    cur.failingSince(), cur.createdAt(), now)).orElseThrow(() -> notFound(e.id()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        out.put("secret", secret);
        out.put("previousSecretExpiresAt", until.toString());
        json(res, 200, out);
    }

    private void deliveries(HttpServletRequest req, HttpServletResponse res, WebhookEndpoint e) throws IOException {
        DeliveryLog log = channel.context().deliveryLog().orElseThrow(() ->
                new Problem(501, "Not Implemented", "this host keeps no delivery log to show"));
        int limit = intParam(req, "limit", 50, 1, 500);
        String cursor = req.getParameter("cursor");
        Page<DeliveryRecord> page;
        try {
            page = log.deliveriesTo(channel.name(), e.id(),
                    Optional.ofNullable(cursor).filter(c -> !c.isEmpty()), limit);
        } catch (IllegalArgumentException ex) {
            throw badRequest("cursor is not valid: " + ex.getMessage());
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (DeliveryRecord d : page.items()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", d.id());
            m.put("notificationId", d.notificationId());
            m.put("status", d.status().wireName());
            m.put("attemptCount", d.attempts());
            m.put("nextAttemptAt", d.nextAttemptAt().map(Instant::toString).orElse(null));
            m.put("lastError", d.lastError().orElse(null));
            m.put("createdAt", d.createdAt().toString());
            m.put("updatedAt", d.updatedAt().toString());
            List<Map<String, Object>> attempts = new ArrayList<>();
            for (DeliveryAttempt a : log.attempts(d.id())) {
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("number", a.number());
                am.put("startedAt", a.startedAt().toString());
                am.put("durationMs", a.duration().toMillis());
                am.put("outcome", a.outcome().name().toLowerCase(java.util.Locale.ROOT));
                am.put("statusCode", a.statusCode().isPresent() ? a.statusCode().getAsInt() : null);
                am.put("error", a.error().orElse(null));
                am.put("response", a.response().orElse(null));
                attempts.add(am);
            }
            m.put("attempts", attempts);
            items.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deliveries", items);
        out.put("nextCursor", page.nextCursor().orElse(null));
        json(res, 200, out);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private String checkUrl(String url) {
        if (url.length() > 4096) {
            throw badRequest("url is longer than 4096 characters");
        }
        try {
            channel.policy().check(AddressPolicy.checkForm(url));
        } catch (AddressPolicy.RefusedException e) {
            throw new Problem(400, "Bad Request", "webhook url refused: " + e.getMessage());
        }
        return url;
    }

    static Map<String, Object> view(WebhookEndpoint e, boolean withSecret) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("url", e.url());
        m.put("topics", new ArrayList<>(new java.util.TreeSet<>(e.topics())));
        m.put("events", new ArrayList<>(new java.util.TreeSet<>(e.events())));
        m.put("description", e.description());
        m.put("enabled", e.enabled());
        m.put("consecutiveFailures", e.consecutiveFailures());
        m.put("failingSince", e.failingSince().map(Instant::toString).orElse(null));
        m.put("secretRotating", e.previousSecret().isPresent());
        m.put("previousSecretExpiresAt", e.previousSecretExpiresAt().map(Instant::toString).orElse(null));
        m.put("createdAt", e.createdAt().toString());
        m.put("updatedAt", e.updatedAt().toString());
        if (withSecret) {
            m.put("secret", e.secret());
        }
        return m;
    }

    private WebhookEndpoint find(String id) {
        return store.find(id).orElseThrow(() -> notFound(id));
    }

    private static Problem notFound(String id) {
        return new Problem(404, "Not Found", "no webhook endpoint with id '" + id + "'");
    }

    private static Problem badRequest(String detail) {
        return new Problem(400, "Bad Request", detail);
    }

    private static Problem notAllowed(String allowed) {
        return new Problem(405, "Method Not Allowed", "this endpoint accepts " + allowed);
    }

    private Map<String, Object> body(HttpServletRequest req) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > MAX_BODY) {
            RefusedBodies.drain(req.getInputStream(), declared);
            throw new Problem(413, "Content Too Large", "the body is larger than " + MAX_BODY + " bytes");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = req.getInputStream()) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buf.write(chunk, 0, n);
                if (buf.size() > MAX_BODY) {
                    // a body of no declared length past the limit is cut off with the connection, not drained
                    throw new Problem(413, "Content Too Large", "the body is larger than " + MAX_BODY + " bytes");
                }
            }
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw badRequest("a JSON object body is required");
        }
        try {
            return channel.context().json().parseObject(text);
        } catch (JsonException | IllegalArgumentException e) {
            throw badRequest("the body is not a JSON object: " + e.getMessage());
        }
    }

    private static void rejectUnknown(Map<String, Object> body, Set<String> known) {
        for (String k : body.keySet()) {
            if (!known.contains(k)) {
                throw badRequest("unknown field '" + k + "'; the fields are " + new java.util.TreeSet<>(known));
            }
        }
    }

    private static Set<String> filters(Map<String, Object> body, String field, int maxLength) {
        Object v = body.get(field);
        if (v == null) {
            return Set.of();
        }
        if (!(v instanceof Collection<?> c)) {
            throw badRequest(field + " must be an array of strings");
        }
        if (c.size() > MAX_FILTERS) {
            throw badRequest(field + " has more than " + MAX_FILTERS + " entries");
        }
        Set<String> out = new LinkedHashSet<>();
        for (Object o : c) {
            if (!(o instanceof String s) || s.isBlank()) {
                throw badRequest(field + " must be an array of non-empty strings");
            }
            if (s.length() > maxLength || s.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw badRequest(field + " entry '" + s.replaceAll("\\p{Cntrl}", "?") + "' is too long or has control characters");
            }
            int star = s.indexOf('*');
            if (star >= 0 && star != s.length() - 1) {
                throw badRequest(field + " entry '" + s + "': '*' may only end a pattern (task.*)");
            }
            out.add(s);
        }
        return out;
    }

    private static String description(Map<String, Object> body, String fallback) {
        Object v = body.get("description");
        if (v == null) {
            return body.containsKey("description") ? "" : fallback;
        }
        if (!(v instanceof String s)) {
            throw badRequest("description must be a string");
        }
        if (s.length() > 4000) {
            throw badRequest("description is longer than 4000 characters");
        }
        if (s.indexOf('\u0000') >= 0) {
            throw badRequest("description contains the character U+0000 (NUL), which is not allowed");
        }
        return s;
    }

    private static boolean bool(Map<String, Object> body, String field, boolean fallback) {
        Object v = body.get(field);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw badRequest(field + " must be true or false");
        }
        return b;
    }

    private static int intParam(HttpServletRequest req, String name, int fallback, int min, int max) {
        String v = req.getParameter(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw badRequest(name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw badRequest(name + " must be a whole number, got '" + v + "'");
        }
    }

    /** {@code whsec_} + base64 of 32 random bytes. */
    static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return WebhookSignatures.SECRET_PREFIX + Base64.getEncoder().encodeToString(b);
    }

    private static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "wh_" + HexFormat.of().formatHex(b);
    }

    private void json(HttpServletResponse res, int status, Object body) throws IOException {
        byte[] bytes = channel.context().json().toJson(body).getBytes(StandardCharsets.UTF_8);
        res.setStatus(status);
        res.setHeader("Cache-Control", "no-store");
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }

    // a detail may quote what the client sent (a parameter, a URL): kept short, control characters escaped
    private static void problem(HttpServletResponse res, int status, String title, String detail) throws IOException {
        Problems.write(res, status, title, Excerpts.of(detail, 500),
                status == 405 ? Map.of("Allow", detail.substring(detail.lastIndexOf("accepts ") + 8)) : Map.of());
    }
}
