package dev.notify.server.internal;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.regex.Pattern;

/**
 * One line per request (method, path, status, time) with every credential in the query string
 * masked: {@code ?token=...} becomes {@code ?token=***}. Headers are never logged.
 */
public final class AccessLog implements RequestLog {

    private static final Logger LOG = LoggerFactory.getLogger("dev.notify.server.access");
    private static final Pattern SECRET_PARAMS = Pattern.compile("(?i)((?:^|&)(?:token|access_token|api_key|apikey|key)=)[^&]*");

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
            LOG.info("{} {}{} {} {}ms", request.getMethod(), request.getHttpURI().getPath(),
                    query == null ? "" : "?" + mask(query), response.getStatus(), took);
        } finally {
            MDC.remove(RequestIds.KEY);
        }
    }

    /** The query string with credential values replaced by {@code ***}. */
    public static String mask(String query) {
        return SECRET_PARAMS.matcher(query).replaceAll("$1***");
    }
}
