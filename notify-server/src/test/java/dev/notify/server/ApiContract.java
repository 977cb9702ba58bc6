package dev.notify.server;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.regex.Pattern;

/**
 * The server's OpenAPI description ({@code web/openapi.json}) as a contract every API test keeps:
 * {@link TestServer#send} hands each exchange to {@link #check}, which fails the test when the
 * server and the description disagree, so the description cannot drift from the code.
 *
 * <p>What disagreeing means: a response whose status the operation does not list, whose media
 * type is not the listed one, or whose JSON body breaks the listed schema (JSON Schema 2020-12,
 * OpenAPI 3.1's dialect, checked by networknt's json-schema-validator); and a request the
 * description calls invalid (a body or parameter that breaks its schema, an undocumented path
 * or method) that the server nevertheless accepts with a 2xx. Tests that send bad requests on
 * purpose keep working: those must simply get a documented 4xx problem. The web pages and their
 * assets ({@code /}, {@code /admin}, {@code /ui/*}, {@code /notify-client.js}) are not API and are not checked.
 */
public final class ApiContract {

    /** Where the description is on the class path (the server serves the same file). */
    public static final String RESOURCE = "/web/openapi.json";
    private static final String BASE = "https://notify.dev/openapi.json";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final ApiContract INSTANCE = load();

    private final JsonNode doc;
    private final SchemaRegistry registry;
    private final List<Route> routes;

    private record Route(String template, Pattern pattern, JsonNode item, int params) {
    }

    private ApiContract(String text) {
        this.doc = MAPPER.readTree(text);
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(BASE, text)));
        List<Route> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : doc.get("paths").properties()) {
            String template = e.getKey();
            String regex = Pattern.quote(template).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
            list.add(new Route(template, Pattern.compile(regex), e.getValue(), template.split("\\{", -1).length - 1));
        }
        // a literal path (/notifications/stats) wins over a template that also matches it (/notifications/{id})
        list.sort(Comparator.comparingInt(Route::params));
        this.routes = List.copyOf(list);
    }

    private static ApiContract load() {
        try (InputStream in = ApiContract.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return new ApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The description of the server's API. */
    public static ApiContract get() {
        return INSTANCE;
    }

    /** The parsed description. */
    public JsonNode document() {
        return doc;
    }

    /**
     * Checks one exchange against the description.
     *
     * @throws AssertionError naming the operation and every disagreement
     */
    public void check(HttpRequest request, HttpResponse<String> response) {
        if (isCorsPreflight(request)) {
            return; // the browser's permission check before a cross-origin call, answered by CorsFilter: not an API operation
        }
        List<String> problems = problems(request, response);
        if (!problems.isEmpty()) {
            throw new AssertionError("the exchange " + request.method() + " " + request.uri().getRawPath()
                    + " -> " + response.statusCode() + " disagrees with " + RESOURCE + ":\n  " + String.join("\n  ", problems)
                    + "\nresponse body: " + abbreviate(response.body()));
        }
    }

    /**
     * Checks a streaming exchange (an SSE stream read as it arrives) against the description: its
     * request, status and media type; the body is not read here.
     *
     * @throws AssertionError naming the operation and every disagreement
     */
    public void checkStream(HttpRequest request, HttpResponse<?> response) {
        List<String> problems = problems(request, response.statusCode(), response.headers(), null);
        if (!problems.isEmpty()) {
            throw new AssertionError("the stream " + request.method() + " " + request.uri().getRawPath()
                    + " -> " + response.statusCode() + " disagrees with " + RESOURCE + ":\n  " + String.join("\n  ", problems));
        }
    }

    /** The disagreements of one exchange with the description; empty when it agrees. */
    public List<String> problems(HttpRequest request, HttpResponse<String> response) {
        return problems(request, response.statusCode(), response.headers(), response.body());
    }

    // body == null: a stream whose body this check does not read
    private List<String> problems(HttpRequest request, int status, HttpHeaders headers, String body) {
        String method = request.method().toLowerCase(Locale.ROOT);
        String path = request.uri().getRawPath();
        if (!isApi(path)) {
            return List.of(); // the web pages and their assets are not part of the HTTP API
        }
        Optional<Route> route = route(path);
        List<String> invalidRequest = new ArrayList<>();
        JsonNode operation = null;
        if (route.isEmpty()) {
            invalidRequest.add("no path of the description matches " + path);
        } else if (!route.get().item().has(method)) {
            invalidRequest.add(route.get().template() + " has no " + method.toUpperCase(Locale.ROOT) + " operation");
        } else {
            operation = route.get().item().get(method);
            checkParameters(route.get(), operation, request.uri(), invalidRequest);
            checkRequestBody(route.get(), method, operation, request, invalidRequest);
        }
        List<String> problems = new ArrayList<>();
        if (!invalidRequest.isEmpty() && status < 400) {
            problems.add("the server accepted (" + status + ") a request the description calls invalid: " + invalidRequest);
        }
        if (operation == null) {
            if (status < 400 || status >= 500) {
                problems.add("an undocumented path or method must get a 4xx, got " + status);
            } else {
                checkMediaType(headers, "application/problem+json", problems);
            }
            return problems;
        }
        checkResponse(route.get(), method, operation, request, status, headers, body, problems);
        return problems;
    }

    /** Whether a path belongs to the HTTP API the description covers (not the web pages). */
    public static boolean isApi(String rawPath) {
        return rawPath.startsWith("/api/") || rawPath.equals("/metrics") || rawPath.equals("/health") || rawPath.startsWith("/health/");
    }

    private Optional<Route> route(String rawPath) {
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        return routes.stream().filter(r -> r.pattern().matcher(path).matches()).findFirst();
    }

    private void checkParameters(Route route, JsonNode operation, URI uri, List<String> invalid) {
        Map<String, String> query = query(uri.getRawQuery());
        List<JsonNode> params = new ArrayList<>();
        route.item().path("parameters").forEach(params::add);
        operation.path("parameters").forEach(params::add);
        for (JsonNode p : params) {
            JsonNode param = resolve(p);
            if (!"query".equals(param.path("in").asString())) {
                continue;
            }
            String name = param.get("name").asString();
            String value = query.get(name);
            if (value == null) {
                if (param.path("required").asBoolean(false)) {
                    invalid.add("query parameter " + name + " is required");
                }
                continue;
            }
            JsonNode schema = param.get("schema");
            String json = asJson(value, schema.path("type").asString(""));
            if (json == null) {
                invalid.add("query parameter " + name + "='" + value + "' is not a " + schema.path("type").asString());
                continue;
            }
            Schema s = schema(p.has("$ref") ? p.get("$ref").asString().substring(1) + "/schema" : parameterPointer(route, operation, param));
            for (Error e : s.validate(json, InputFormat.JSON)) {
                invalid.add("query parameter " + name + ": " + e.getMessage());
            }
        }
    }

    private String parameterPointer(Route route, JsonNode operation, JsonNode param) {
        String method = null;
        for (Map.Entry<String, JsonNode> e : route.item().properties()) {
            if (e.getValue() == operation) {
                method = e.getKey();
            }
        }
        JsonNode list = operation.path("parameters");
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == param) {
                return "/paths/" + escape(route.template()) + "/" + method + "/parameters/" + i + "/schema";
            }
        }
        JsonNode shared = route.item().path("parameters");
        for (int i = 0; i < shared.size(); i++) {
            if (shared.get(i) == param) {
                return "/paths/" + escape(route.template()) + "/parameters/" + i + "/schema";
            }
        }
        throw new IllegalStateException("parameter " + param + " not found under " + route.template());
    }

    private void checkRequestBody(Route route, String method, JsonNode operation, HttpRequest request, List<String> invalid) {
        JsonNode body = operation.get("requestBody");
        if (body == null) {
            return;
        }
        String text = bodyOf(request);
        if (text.isEmpty()) {
            if (body.path("required").asBoolean(false)) {
                invalid.add("the request body is required");
            }
            return;
        }
        if (!body.path("content").has("application/json")) {
            return;
        }
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(text);
        } catch (RuntimeException e) {
            invalid.add("the request body is not JSON");
            return;
        }
        Schema s = schema("/paths/" + escape(route.template()) + "/" + method + "/requestBody/content/application~1json/schema");
        for (Error e : s.validate(parsed)) {
            invalid.add("request body: " + e);
        }
    }

    private void checkResponse(Route route, String method, JsonNode operation, HttpRequest request, int statusCode,
                               HttpHeaders headers, String responseBody, List<String> problems) {
        String status = Integer.toString(statusCode);
        JsonNode responses = operation.get("responses");
        String key = responses.has(status) ? status : responses.has("default") ? "default" : null;
        if (key == null) {
            problems.add(method.toUpperCase(Locale.ROOT) + " " + route.template() + " does not list status " + status
                    + " (it lists " + names(responses) + ")");
            return;
        }
        JsonNode declared = responses.get(key);
        String pointer = "/paths/" + escape(route.template()) + "/" + method + "/responses/" + key;
        if (declared.has("$ref")) {
            pointer = declared.get("$ref").asString().substring(1);
            declared = resolve(declared);
        }
        JsonNode content = declared.get("content");
        if (content == null || content.isEmpty()) {
            if (responseBody != null && !responseBody.isEmpty() && !"HEAD".equals(request.method())) {
                problems.add("status " + status + " has no body in the description, but the server sent one");
            }
            return;
        }
        String type = mediaType(headers);
        if (!content.has(type)) {
            problems.add("status " + status + " is " + names(content) + " in the description, but the server sent '" + type + "'");
            return;
        }
        if (responseBody == null || "HEAD".equals(request.method()) || !(type.equals("application/json") || type.endsWith("+json"))) {
            return;
        }
        JsonNode body;
        try {
            body = MAPPER.readTree(responseBody);
        } catch (RuntimeException e) {
            problems.add("the " + type + " body does not parse as JSON");
            return;
        }
        for (Error e : schema(pointer + "/content/" + escape(type) + "/schema").validate(body)) {
            problems.add("response body: " + e);
        }
    }

    private static void checkMediaType(HttpHeaders headers, String expected, List<String> problems) {
        String type = mediaType(headers);
        if (!type.equals(expected)) {
            problems.add("an error must be " + expected + ", got '" + type + "'");
        }
    }

    private Schema schema(String pointer) {
        return registry.getSchema(SchemaLocation.of(BASE + "#" + pointer));
    }

    private JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) {
            return node;
        }
        return doc.at(node.get("$ref").asString().substring(1));
    }

    private static String mediaType(HttpHeaders headers) {
        return headers.firstValue("Content-Type").map(v -> v.split(";")[0].trim().toLowerCase(Locale.ROOT)).orElse("");
    }

    // A query value as the JSON its schema types it: integers and numbers as numbers, the rest as strings.
    private static String asJson(String value, String type) {
        switch (type) {
            case "integer" -> {
                return value.matches("-?\\d{1,18}") ? value : null;
            }
            case "number" -> {
                return value.matches("-?\\d{1,18}(\\.\\d{1,9})?") ? value : null;
            }
            case "boolean" -> {
                return value.equals("true") || value.equals("false") ? value : null;
            }
            default -> {
                return MAPPER.writeValueAsString(value);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                out.putIfAbsent(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                out.putIfAbsent(pair, ""); // a malformed escape: the server must refuse it, which the status check sees
            }
        }
        return out;
    }

    private static String names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names.toString();
    }

    private static String escape(String pointerToken) {
        return pointerToken.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    /** The body a request will send, read from its publisher (the JDK's string and byte publishers can be read again). */
    static String bodyOf(HttpRequest request) {
        Optional<HttpRequest.BodyPublisher> publisher = request.bodyPublisher();
        if (publisher.isEmpty() || publisher.get().contentLength() == 0) {
            return "";
        }
        CompletableFuture<String> done = new CompletableFuture<>();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        publisher.get().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.write(b, 0, b.length);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(out.toString(StandardCharsets.UTF_8));
            }
        });
        return done.join();
    }

    private static boolean isCorsPreflight(HttpRequest request) {
        return "OPTIONS".equals(request.method()) && request.headers().firstValue("Origin").isPresent()
                && request.headers().firstValue("Access-Control-Request-Method").isPresent();
    }
}
