package dev.notify.server.internal;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * One line per request (method, path, status, time) with every credential in the query string
 * masked: {@code ?token=...} becomes {@code ?token=***}. Parameter names are compared decoded, as
 * the server reads them, so {@code ?%74oken=} is masked too; a name that does not decode is
 * masked rather than guessed at. Headers are never logged.
 */
public final class AccessLog implements RequestLog {

    private static final Logger LOG = LoggerFactory.getLogger("dev.notify.server.access");
    private static final Set<String> SECRET_PARAMS = Set.of("token", "access_token", "api_key", "apikey", "key");

    @Override
    public void log(Request request, Response response) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String query = request.getHttpURI().getQuery();
        long took = (System.nanoTime() - request.getBeginNanoTime()) / 1_000_000;
        // the request is complete here, possibly on another thread than the one that handled it
        Object requestId = request.getAttribute(RequestIds.KEY);
        if (requestId != null) {
            MDC.put(RequestIds.KEY, requestId.toString());
        }
        try {
            LOG.info("{} {}{} {} {}ms", escape(request.getMethod()), escape(request.getHttpURI().getPath()),
                    query == null ? "" : "?" + escape(mask(query)), response.getStatus(), took);
        } finally {
            MDC.remove(RequestIds.KEY);
        }
    }

    /** The query string with credential values replaced by {@code ***}. */
    public static String mask(String query) {
        StringJoiner out = new StringJoiner("&");
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            out.add(eq >= 0 && isSecret(pair.substring(0, eq)) ? pair.substring(0, eq + 1) + "***" : pair);
        }
        return out.toString();
    }

    /** Control characters as {@code \\uXXXX}, so nothing a client sends starts a line of its own in the log. */
    public static String escape(String s) {
        if (s == null || s.chars().noneMatch(Character::isISOControl)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static boolean isSecret(String rawName) {
        String name;
        try {
            name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return true;
        }
        return SECRET_PARAMS.contains(name.trim().toLowerCase(Locale.ROOT));
    }
}
