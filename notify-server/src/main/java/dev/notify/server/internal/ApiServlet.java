package dev.notify.server.internal;

import dev.notify.api.Identity;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.Preferences;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.spi.ConnectionInfo;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.JsonException;
import dev.notify.api.spi.StoreException;
import dev.notify.core.NotificationService;
import dev.notify.core.PublishReceipt;
import dev.notify.core.QueueFullException;
import dev.notify.core.TemplateException;
import dev.notify.web.Problems;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The server's own endpoints below {@code /api/v1/}: publishing, the inbox, stream tokens, live
 * connections and dead letters. The auth filter has already authenticated the caller and
 * checked its role; this servlet only scopes every inbox operation to the caller's user id.
 *
 * <p>Bulk delete, which DESIGN.md leaves open, is {@code POST /api/v1/notifications/delete}
 * with {@code {"ids":[...]}} (a body on DELETE is poorly supported by clients and proxies).
 */
public final class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    private static final String NOTIFICATIONS = "/api/v1/notifications";
    /** Most notifications in one batch publish. */
    public static final int MAX_BATCH = 1000;
    /** Most ids in one bulk request. */
    public static final int MAX_IDS = 1000;

    private final transient NotificationService service;
    private final transient JsonCodec json;
    private final transient Authenticator auth;
    private final transient RateLimits rateLimits;
    private final long maxBodyBytes;
    private final Duration streamTokenTtl;

    /** The API over {@code service}, publishing within {@code rateLimits}. */
    public ApiServlet(NotificationService service, Authenticator auth, RateLimits rateLimits, long maxBodyBytes, Duration streamTokenTtl) {
        this.service = service;
        this.json = service.json();
        this.auth = auth;
        this.rateLimits = rateLimits;
        this.maxBodyBytes = maxBodyBytes;
        this.streamTokenTtl = streamTokenTtl;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        try {
            route(req, res, Http.routedPath(req), req.getMethod());
        } catch (ApiException e) {
            Problems.write(res, e.status(), e.title(), e.getMessage(), e.headers());
        } catch (QueueFullException e) {
            Problems.write(res, 503, "Service Unavailable", e.getMessage(), Map.of("Retry-After", "5"));
        } catch (TemplateException e) {
            Problems.write(res, 400, "Template Error", e.getMessage(), Map.of());
        } catch (JsonException e) {
            Problems.write(res, 400, "Malformed JSON", e.getMessage(), Map.of());
        } catch (IllegalArgumentException e) {
            String m = Http.excerpt(String.valueOf(e.getMessage()), 300);
            Problems.write(res, 400, m.startsWith("unknown channel") ? "Unknown Channel" : "Bad Request", m, Map.of());
        } catch (IllegalStateException e) {
            if (!service.isOpen()) {
                Problems.write(res, 503, "Service Unavailable", "the server is shutting down; try again on another node or later",
                        Map.of("Retry-After", "10"));
            } else {
                internalError(res, e);
            }
        } catch (StoreException e) {
            LOG.warn("store failure on {} {}: {}", req.getMethod(), req.getRequestURI(), e.getMessage());
            Problems.write(res, 503, "Service Unavailable", "the database is unavailable; nothing was changed. Try again shortly",
                    Map.of("Retry-After", "5"));
        } catch (RuntimeException e) {
            internalError(res, e);
        }
    }

    private void internalError(HttpServletResponse res, RuntimeException e) throws IOException {
        LOG.error("request failed", e);
        Problems.write(res, 500, "Internal Server Error", "the server failed to handle the request; see its log", Map.of());
    }

    private void route(HttpServletRequest req, HttpServletResponse res, String path, String method) throws IOException {
        if (path.equals(NOTIFICATIONS)) {
            switch (method) {
                case "POST" -> publish(req, res);
                case "GET" -> inbox(req, res);
                default -> methodNotAllowed("GET, POST");
            }
        } else if (path.equals(NOTIFICATIONS + "/batch")) {
            require(method, "POST");
            batch(req, res);
        } else if (path.equals(NOTIFICATIONS + "/stats")) {
            require(method, "GET");
            InboxStats s = service.inbox().stats(user(req).userId());
            Http.writeJson(res, json, 200, stats(s));
        } else if (path.equals(NOTIFICATIONS + "/read")) {
            require(method, "POST");
            bulkRead(req, res);
        } else if (path.equals(NOTIFICATIONS + "/delete")) {
            require(method, "POST");
            bulkDelete(req, res);
        } else if (path.equals(NOTIFICATIONS + "/stream/connections")) {
            require(method, "GET");
            publisher(req);
            connections(req, res);
        } else if (path.startsWith(NOTIFICATIONS + "/") && path.indexOf('/', NOTIFICATIONS.length() + 1) < 0) {
            String id = path.substring(NOTIFICATIONS.length() + 1);
            switch (method) {
                case "PATCH" -> patch(req, res, id);
                case "DELETE" -> delete(req, res, id);
                case "GET" -> one(req, res, id);
                default -> methodNotAllowed("GET, PATCH, DELETE");
            }
        } else if (path.equals("/api/v1/admin/nodes")) {
            require(method, "GET");
            Http.writeJson(res, json, 200, NodesView.of(service));
        } else if (path.equals("/api/v1/preferences")) {
            switch (method) {
                case "GET" -> Http.writeJson(res, json, 200, service.preferences().get(preferencesOwner(req)).toJson());
                case "PUT" -> putPreferences(req, res);
                default -> methodNotAllowed("GET, PUT");
            }
        } else if (path.equals("/api/v1/stream-tokens")) {
            require(method, "POST");
            streamToken(req, res);
        } else if (path.equals("/api/v1/dead-letters")) {
            require(method, "GET");
            publisher(req);
            deadLetters(req, res);
        } else if (path.startsWith("/api/v1/dead-letters/") && path.endsWith("/replay")) {
            require(method, "POST");
            publisher(req);
            replay(res, path.substring("/api/v1/dead-letters/".length(), path.length() - "/replay".length()));
        } else {
            throw ApiException.notFound("no endpoint at " + Http.excerpt(path) + "; see the HTTP API in the README");
        }
    }

    // ---- publishing -----------------------------------------------------------------------------

    private void publish(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Caller.Publisher publisher = publisher(req);
        Notification n = Wire.notification(Http.jsonObject(json, Http.body(req, maxBodyBytes)), "");
        rateLimits.publish(res, publisher.keyId(), 1);
        PublishReceipt r = service.publish(n, publisher.keyId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.id());
        out.put("duplicate", r.duplicate());
        res.setHeader("Location", NOTIFICATIONS + "/" + r.id());
        Http.writeJson(res, json, 202, out);
    }

    private void batch(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Caller.Publisher publisher = publisher(req);
        String body = Http.body(req, maxBodyBytes);
        List<Object> items;
        if (body.stripLeading().startsWith("[")) {
            items = Http.jsonArray(json, body);
        } else {
            Map<String, Object> obj = Http.jsonObject(json, body);
            if (obj.size() != 1 || !(obj.get("notifications") instanceof List)) {
                throw ApiException.badRequest("a batch is {\"notifications\":[...]} (or a bare JSON array of notifications)");
            }
            @SuppressWarnings("unchecked")
            List<Object> l = (List<Object>) obj.get("notifications");
            items = l;
        }
        if (items.isEmpty() || items.size() > MAX_BATCH) {
            throw ApiException.badRequest("a batch holds 1 to " + MAX_BATCH + " notifications, got " + items.size());
        }
        List<Notification> ns = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Map)) {
                throw ApiException.badRequest("notifications[" + i + "] must be an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) items.get(i);
            ns.add(Wire.notification(m, "notifications[" + i + "]."));
        }
        rateLimits.publish(res, publisher.keyId(), ns.size());
        List<PublishReceipt> receipts = service.publishAll(ns, publisher.keyId());
        List<Map<String, Object>> out = new ArrayList<>();
        for (PublishReceipt r : receipts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("duplicate", r.duplicate());
            out.add(m);
        }
        Http.writeJson(res, json, 202, Map.of("notifications", out));
    }

    // ---- the inbox --------------------------------------------------------------------------------

    private void inbox(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Identity user = user(req);
        String unread = Http.queryParam(req, "unread");
        if (unread != null && !unread.equals("true") && !unread.equals("false")) {
            throw ApiException.badRequest("unread must be true or false, got '" + Http.excerpt(unread) + "'");
        }
        int limit = intParam(req, "limit", 20, 1, InboxQuery.MAX_LIMIT);
        String cursor = Http.queryParam(req, "cursor");
        Page<InboxItem> page;
        try {
            page = service.inbox().list(new InboxQuery(user.userId(), "true".equals(unread),
                    Optional.ofNullable(cursor).filter(c -> !c.isEmpty()), limit));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not valid: " + Http.excerpt(String.valueOf(e.getMessage()), 300));
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (InboxItem i : page.items()) {
            items.add(Wire.inboxItem(i));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("notifications", items);
        out.put("nextCursor", page.nextCursor().orElse(null));
        Http.writeJson(res, json, 200, out);
    }

    private void one(HttpServletRequest req, HttpServletResponse res, String id) throws IOException {
        Identity user = user(req);
        Notification n = service.find(id).filter(x -> x.recipients().contains(user.userId()))
                .orElseThrow(() -> notYours(id));
        Http.writeJson(res, json, 200, Wire.notification(n));
    }

    private void patch(HttpServletRequest req, HttpServletResponse res, String id) throws IOException {
        Identity user = user(req);
        Map<String, Object> body = Http.jsonObject(json, Http.body(req, maxBodyBytes));
        for (String k : body.keySet()) {
            if (!k.equals("read")) {
                throw ApiException.badRequest("unknown field '" + k + "'; PATCH takes {\"read\": true|false}");
            }
        }
        if (!(body.get("read") instanceof Boolean read)) {
            throw Wire.typeError("", "read", "a boolean", body.get("read"));
        }
        int changed = service.inbox().mark(user.userId(), List.of(id), read);
        if (changed == 0 && service.find(id).filter(n -> n.recipients().contains(user.userId())).isEmpty()) {
            throw notYours(id);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("read", read);
        out.put("changed", changed > 0);
        Http.writeJson(res, json, 200, out);
    }

    private void delete(HttpServletRequest req, HttpServletResponse res, String id) throws IOException {
        Identity user = user(req);
        if (service.inbox().delete(user.userId(), List.of(id)) == 0) {
            throw notYours(id);
        }
        res.setStatus(204);
    }

    private void bulkRead(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Identity user = user(req);
        Map<String, Object> body = Http.jsonObject(json, Http.body(req, maxBodyBytes));
        int updated;
        if (Boolean.TRUE.equals(body.get("all")) && !body.containsKey("ids")) {
            updated = service.inbox().markAllRead(user.userId());
        } else if (body.containsKey("ids") && !body.containsKey("all")) {
            updated = service.inbox().mark(user.userId(), ids(body), true);
        } else {
            throw ApiException.badRequest("send {\"ids\":[...]} to mark those read, or {\"all\":true} to mark everything read");
        }
        Http.writeJson(res, json, 200, Map.of("updated", updated));
    }

    private void bulkDelete(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Identity user = user(req);
        Map<String, Object> body = Http.jsonObject(json, Http.body(req, maxBodyBytes));
        if (body.size() != 1 || !body.containsKey("ids")) {
            throw ApiException.badRequest("send {\"ids\":[...]} to delete those notifications");
        }
        Http.writeJson(res, json, 200, Map.of("deleted", service.inbox().delete(user.userId(), ids(body))));
    }

    private static List<String> ids(Map<String, Object> body) {
        if (!(body.get("ids") instanceof List<?> list)) {
            throw Wire.typeError("", "ids", "an array of notification ids", body.get("ids"));
        }
        if (list.isEmpty() || list.size() > MAX_IDS) {
            throw ApiException.badRequest("ids must hold 1 to " + MAX_IDS + " ids, got " + list.size());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw Wire.typeError("", "ids[" + i + "]", "a string", list.get(i));
            }
            out.add(s);
        }
        return out;
    }

    // ---- tokens, connections, dead letters ---------------------------------------------------

    private void streamToken(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Caller.User caller = (Caller.User) req.getAttribute(Caller.REQUEST_ATTRIBUTE);
        if (caller.streamToken()) {
            throw new ApiException(403, "Forbidden", "a stream token cannot mint another one; authenticate with a JWT");
        }
        Authenticator.StreamToken t = auth.mintStreamToken(caller.identity(), streamTokenTtl, caller.expiresAt());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", t.token());
        out.put("expiresAt", t.expiresAt().toString());
        out.put("expiresIn", Math.max(0, Duration.between(service.config().clock().instant(), t.expiresAt()).toSeconds()));
        Http.writeJson(res, json, 201, out);
    }

    private void connections(HttpServletRequest req, HttpServletResponse res) throws IOException {
        List<ConnectionInfo> all = service.hub().connections();
        Map<String, Integer> perUser = new TreeMap<>();
        Map<String, Integer> perChannel = new TreeMap<>();
        for (ConnectionInfo c : all) {
            perUser.merge(c.userId(), 1, Integer::sum);
            perChannel.merge(c.channel(), 1, Integer::sum);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", all.size());
        out.put("perUser", perUser);
        out.put("perChannel", perChannel);
        if ("true".equals(Http.queryParam(req, "details"))) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (ConnectionInfo c : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("channel", c.channel());
                m.put("clientId", c.clientId());
                m.put("userId", c.userId());
                m.put("topics", List.copyOf(c.topics()));
                m.put("connectedAt", c.connectedAt().toString());
                list.add(m);
            }
            out.put("connections", list);
        }
        Http.writeJson(res, json, 200, out);
    }

    private void deadLetters(HttpServletRequest req, HttpServletResponse res) throws IOException {
        int limit = intParam(req, "limit", 50, 1, 500);
        String cursor = Http.queryParam(req, "cursor");
        Page<DeliveryRecord> page;
        try {
            page = service.deadLetters(Optional.ofNullable(cursor).filter(c -> !c.isEmpty()), limit);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not valid: " + Http.excerpt(String.valueOf(e.getMessage()), 300));
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (DeliveryRecord d : page.items()) {
            items.add(Wire.delivery(d));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deadLetters", items);
        out.put("nextCursor", page.nextCursor().orElse(null));
        Http.writeJson(res, json, 200, out);
    }

    private void replay(HttpServletResponse res, String rawId) throws IOException {
        long id;
        try {
            id = Long.parseLong(rawId);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no dead letter with id '" + Http.excerpt(rawId) + "'");
        }
        DeliveryRecord d = service.replay(id).orElseThrow(() -> ApiException.notFound("no dead letter with id " + id));
        Http.writeJson(res, json, 202, Wire.delivery(d));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static Map<String, Object> stats(InboxStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", s.total());
        m.put("unread", s.unread());
        m.put("read", s.read());
        return m;
    }

    private static ApiException notYours(String id) {
        // The same answer for unknown ids and other users' ids, so ids cannot be probed.
        return ApiException.notFound("no notification with id '" + Http.excerpt(id) + "' in your inbox");
    }

    // ---- preferences ----------------------------------------------------------------------------

    private void putPreferences(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String owner = preferencesOwner(req);
        Preferences p;
        try {
            p = Preferences.fromJson(Http.jsonObject(json, Http.body(req, maxBodyBytes)));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        service.preferences().set(owner, p);
        Http.writeJson(res, json, 200, p.toJson());
    }

    /** A user's own preferences; a publisher names the user with {@code ?user=}. */
    private String preferencesOwner(HttpServletRequest req) {
        if (!service.preferences().enabled()) {
            throw new ApiException(501, "Not Implemented", "user preferences are turned off on this server (preferences.enabled=false)");
        }
        String named = Http.queryParam(req, "user");
        Object c = req.getAttribute(Caller.REQUEST_ATTRIBUTE);
        if (c instanceof Caller.Publisher) {
            if (named == null || named.isBlank()) {
                throw ApiException.badRequest("a publisher names the user: /api/v1/preferences?user=<user id>");
            }
            return named;
        }
        String self = user(req).userId();
        if (named != null && !named.equals(self)) {
            throw new ApiException(403, "Forbidden", "a user reads and changes their own preferences only");
        }
        return self;
    }

    private static Identity user(HttpServletRequest req) {
        Object i = req.getAttribute(Identity.REQUEST_ATTRIBUTE);
        if (!(i instanceof Identity identity)) {
            throw new ApiException(403, "Forbidden", "this endpoint is for users (a JWT or stream token)");
        }
        return identity;
    }

    private static Caller.Publisher publisher(HttpServletRequest req) {
        Object c = req.getAttribute(Caller.REQUEST_ATTRIBUTE);
        if (!(c instanceof Caller.Publisher p)) {
            throw new ApiException(403, "Forbidden", "this endpoint is for publishers (the API key)");
        }
        return p;
    }

    private static int intParam(HttpServletRequest req, String name, int fallback, int min, int max) {
        String v = Http.queryParam(req, name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw ApiException.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number, got '" + Http.excerpt(v) + "'");
        }
    }

    private static void require(String method, String allowed) {
        if (!method.equals(allowed)) {
            methodNotAllowed(allowed);
        }
    }

    private static void methodNotAllowed(String allowed) {
        throw new ApiException(405, "Method Not Allowed", "this endpoint accepts " + allowed, Map.of("Allow", allowed));
    }

}
