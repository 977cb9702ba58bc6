package dev.notify.server.internal;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.MDC;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a plausible one (a proxy
 * or load balancer in front already assigned it), else a new random one. The id is echoed in the
 * {@code X-Request-Id} response header, is the {@code requestId} of problem+json errors (so a user
 * can quote it) and of every log line written while the request is handled, including the access log.
 */
public final class RequestIds extends Handler.Wrapper {

    /** The header carrying the id both ways. */
    public static final String HEADER = dev.notify.web.Problems.REQUEST_ID_HEADER;
    /** The request attribute and MDC key holding the id. */
    public static final String KEY = "requestId";
    private static final Pattern PLAUSIBLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Wraps {@code handler}. */
    public RequestIds(Handler handler) {
        super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String given = request.getHeaders().get(HEADER);
        String id = given != null && PLAUSIBLE.matcher(given).matches() ? given : newId();
        request.setAttribute(KEY, id);
        response.getHeaders().put(HEADER, id);
        MDC.put(KEY, id);
        try {
            return super.handle(request, response, callback);
        } finally {
            MDC.remove(KEY);
        }
    }

    private static String newId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
