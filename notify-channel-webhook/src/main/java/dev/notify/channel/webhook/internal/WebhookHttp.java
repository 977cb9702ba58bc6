package dev.notify.channel.webhook.internal;

import dev.notify.api.Excerpts;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.ProcessingProtocolHandler;
import org.eclipse.jetty.client.DuplexConnectionPool;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook channel's HTTP client: Jetty's non-blocking {@link HttpClient}, held to the SSRF rule
 * and the limits of a webhook attempt. A {@link #post} returns at once; its stage completes from
 * Jetty's response listener, so no thread waits for a receiver.
 *
 * <p>SSRF: every attempt resolves the host once and checks every address ({@link AddressPolicy};
 * one refused address refuses the attempt, nothing is sent). The checked addresses ride on the
 * request as its {@linkplain Request#tag tag}, which Jetty makes part of the connection pool's key:
 * a pooled connection serves an attempt only when the host resolves, now, to exactly the addresses
 * it was opened for, and the {@link CheckedResolver} opens new connections only to those addresses,
 * never resolving again (DNS rebinding cannot slip in between). The request keeps the host name, so
 * {@code Host}, SNI and the certificate's host-name check ({@code endpointIdentificationAlgorithm =
 * HTTPS}, Jetty's client default) are the host's. Through an egress proxy (operator-trusted, see
 * {@link WebhookSettings#proxy()}) the target is still checked at every attempt, but it is the proxy
 * that connects to it.
 *
 * <p>Limits: no redirects followed, no cookies kept, no content decoding (the excerpt is the raw
 * bytes), response headers at most {@value #MAX_RESPONSE_HEADER_BYTES} bytes, at most
 * {@value #MAX_INTERIM_ANSWERS} interim (1xx) answers, at most {@code max-response-bytes} of a body
 * read (the exchange is aborted, and its connection closed, as soon as more arrives), a connect
 * timeout and one deadline for the whole attempt ({@code request-timeout}, address check included).
 */
public final class WebhookHttp implements AutoCloseable {

    /** Most interim (1xx) answers accepted before the real one; a receiver sends one or two. */
    static final int MAX_INTERIM_ANSWERS = 16;
    static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;
    /** Threads of the client: its selector and listeners, and the attempts' address checks (blocking DNS). */
    private static final int MAX_THREADS = 64;

    private final AddressPolicy policy;
    private final HttpClient client;
    private final Executor executor;
    private final long requestTimeoutNanos;
    private final int maxResponseBytes;
    private final boolean keepAlive;

    /** The answer: status, headers (lower-case names, the first value of each) and the first bytes of the body. */
    public record Response(int status, Map<String, String> headers, String body, boolean truncated) {
        /** A header by lower-case name. */
        public Optional<String> header(String lowerCaseName) {
            return Optional.ofNullable(headers.get(lowerCaseName));
        }
    }

    /** The URL or an address of its host is refused: nothing was sent. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** The attempt outlived a deadline. */
    public static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }

    /**
     * The addresses an attempt checked, in a stable order: the request's tag, so part of the
     * connection pool's key, and the only addresses {@link CheckedResolver} hands to Jetty.
     */
    record Checked(List<InetAddress> addresses) {
        static Checked of(InetAddress[] resolved) {
            List<InetAddress> list = new ArrayList<>(List.of(resolved));
            list.sort(Comparator.comparing(InetAddress::getHostAddress));
            return new Checked(List.copyOf(list));
        }
    }

    /** A client with the JDK's default trust store. */
    public WebhookHttp(AddressPolicy policy, WebhookSettings settings) {
        this(policy, settings, new SslContextFactory.Client());
    }

    /** A client with its own TLS settings (tests trust a self-signed certificate this way). */
    public WebhookHttp(AddressPolicy policy, WebhookSettings settings, SslContextFactory.Client tls) {
        this.policy = policy;
        this.requestTimeoutNanos = settings.requestTimeout().toNanos();
        this.maxResponseBytes = settings.maxResponseBytes();
        this.keepAlive = settings.keepAlive();
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
        threads.setName("notify-webhook-http");
        threads.setDaemon(true);
        this.executor = threads;
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(1);
        long maxAge = settings.poolMaxAge().toMillis();
        int perDestination = settings.maxInFlight();
        transport.setConnectionPoolFactory(destination -> {
            DuplexConnectionPool pool = new DuplexConnectionPool(destination, perDestination);
            pool.setMaxDuration(maxAge); // a connection is not reused once this old, however busy
            return pool;
        });
        client = new HttpClient(transport);
        client.setExecutor(threads);
        client.setName("notify-webhook-http");
        client.setSslContextFactory(tls);
        client.setSocketAddressResolver(new CheckedResolver(policy, threads));
        client.setFollowRedirects(false);
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.setConnectTimeout(settings.connectTimeout().toMillis());
        // how long an idle pooled connection stays open; an exchange in progress is bounded by request-timeout instead
        client.setIdleTimeout(settings.poolIdleTimeout().toMillis());
        client.setMaxResponseHeadersSize(MAX_RESPONSE_HEADER_BYTES);
        client.setMaxConnectionsPerDestination(perDestination);
        client.setMaxRequestsQueuedPerDestination(perDestination);
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, settings.userAgent()));
        client.setDestinationIdleTimeout(Math.max(60_000, 2 * maxAge));
        settings.proxy().ifPresent(p -> client.getProxyConfiguration().addProxy(new Proxy(p)));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("the webhook HTTP client did not start: " + e.getMessage(), e);
        }
        // no Accept-Encoding, no decoding: the excerpt is what was sent, and a small compressed body cannot inflate
        client.getContentDecoderFactories().clear();
        // interim (1xx) answers skipped and counted; no redirect, authentication or upgrade handlers: one request, one answer
        client.getProtocolHandlers().clear();
        client.getProtocolHandlers().put(new InterimLimit());
    }

    /**
     * POSTs the body. The stage completes with the answer, or exceptionally with {@link Refused}
     * (nothing was sent), {@link TimedOut}, or another {@link IOException} (refused or reset
     * connection, an answer that is not HTTP or over a limit).
     */
    public CompletableFuture<Response> post(String url, List<Map.Entry<String, String>> headers, byte[] body) {
        long deadline = System.nanoTime() + requestTimeoutNanos;
        CompletableFuture<Response> answer = new CompletableFuture<>();
        URI uri;
        try {
            uri = AddressPolicy.checkForm(url);
        } catch (AddressPolicy.RefusedException e) {
            answer.completeExceptionally(new Refused(e.getMessage()));
            return answer;
        }
        if (!client.isRunning()) {
            answer.completeExceptionally(new SocketException("the webhook HTTP client is closed"));
            return answer;
        }
        // resolving may block (a slow DNS server): off the caller's thread, and inside the attempt's deadline
        try {
            executor.execute(() -> send(uri, headers, body, deadline, answer));
        } catch (RuntimeException e) {
            answer.completeExceptionally(new SocketException("the webhook HTTP client is closed"));
        }
        return answer;
    }

    private void send(URI uri, List<Map.Entry<String, String>> headers, byte[] body, long deadline,
                      CompletableFuture<Response> answer) {
        Checked checked;
        try {
            checked = Checked.of(policy.check(uri));
        } catch (AddressPolicy.RefusedException e) {
            answer.completeExceptionally(new Refused(e.getMessage()));
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            answer.completeExceptionally(new TimedOut("no answer within " + Duration.ofNanos(requestTimeoutNanos)
                    + " (resolving the host took it all)"));
            return;
        }
        Request request = client.newRequest(uri).method(HttpMethod.POST).tag(checked)
                .attribute(InterimLimit.COUNT, new AtomicInteger())
                .timeout(TimeUnit.NANOSECONDS.toMillis(left) + 1, TimeUnit.MILLISECONDS)
                // an exchange waiting for its answer is bounded by the deadline, not by the idle timeout of pooled connections
                .idleTimeout(TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + 1, TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent("application/json", body))
                .headers(h -> {
                    for (Map.Entry<String, String> e : headers) {
                        h.put(e.getKey(), e.getValue());
                    }
                    if (!keepAlive) {
                        h.put(HttpHeader.CONNECTION, "close");
                    }
                });
        Listener listener = new Listener(answer);
        try {
            request.send(listener);
        } catch (RuntimeException e) {
            answer.completeExceptionally(new SocketException("the webhook HTTP client is closed"));
        }
    }

    /** Collects one answer within the limits and completes the stage. */
    private final class Listener implements org.eclipse.jetty.client.Response.Listener {
        private final CompletableFuture<Response> answer;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private int status;
        private Map<String, String> headers = Map.of();
        private boolean truncated;

        Listener(CompletableFuture<Response> answer) {
            this.answer = answer;
        }

        @Override
        public void onHeaders(org.eclipse.jetty.client.Response response) {
            int s = response.getStatus();
            if (s >= 100 && s < 200) {
                return; // counted by InterimLimit
            }
            status = s;
            Map<String, String> h = new HashMap<>();
            for (HttpField f : response.getHeaders()) {
                h.putIfAbsent(f.getName().toLowerCase(Locale.ROOT), f.getValue());
            }
            headers = h;
        }

        @Override
        public void onContent(org.eclipse.jetty.client.Response response, ByteBuffer content) {
            int room = maxResponseBytes - kept.size();
            int n = Math.min(room, content.remaining());
            if (n > 0) {
                byte[] b = new byte[n];
                content.get(b);
                kept.write(b, 0, n);
            }
            if (content.hasRemaining() && !truncated) {
                // enough for the excerpt: stop reading (an endless or huge body ends here; the connection is closed)
                truncated = true;
                response.abort(new Truncated());
            }
        }

        @Override
        public void onComplete(Result result) {
            if (result.isSucceeded() || (truncated && status != 0)) {
                answer.complete(new Response(status, headers, kept.toString(StandardCharsets.UTF_8), truncated));
                return;
            }
            answer.completeExceptionally(failure(result.getFailure()));
        }
    }

    /**
     * Reads every interim (1xx) answer the way Jetty reads {@code 102 Processing} (skipped; the real
     * answer follows on the same exchange) and aborts the request past {@value #MAX_INTERIM_ANSWERS}
     * of them: Jetty's client leaves a 1xx that no handler accepts waiting until the deadline (a
     * second {@code 100 Continue} does), and thousands of them must not keep the exchange busy.
     * {@code 101 Switching Protocols} was not asked for and is refused.
     */
    private static final class InterimLimit extends ProcessingProtocolHandler {
        static final String COUNT = "notify.webhook.interim-answers";

        @Override
        public String getName() {
            return "notify-interim";
        }

        @Override
        public boolean accept(Request request, org.eclipse.jetty.client.Response response) {
            int s = response.getStatus();
            if (s < 100 || s >= 200) {
                return false;
            }
            if (s == 101) {
                request.abort(new IOException("the answer switched protocols (101) unasked"));
            } else if (request.getAttributes().get(COUNT) instanceof AtomicInteger n && n.incrementAndGet() > MAX_INTERIM_ANSWERS) {
                request.abort(new IOException("the answer began with more than " + MAX_INTERIM_ANSWERS + " interim (1xx) answers"));
            }
            return true;
        }
    }

    /** Marks the abort of an answer read as far as it is kept. */
    private static final class Truncated extends Exception {
        private static final long serialVersionUID = 1L;

        Truncated() {
            super("truncated at max-response-bytes", null, false, false);
        }
    }

    /** The failure of an exchange as the channel reports it: refused, timed out, could not connect, or what went wrong. */
    private IOException failure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof Refused r) {
                return r;
            }
            if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException) {
                String m = String.valueOf(c.getMessage());
                return new TimedOut((m.toLowerCase(Locale.ROOT).contains("connect") ? "could not connect" : "no answer")
                        + " within " + Duration.ofNanos(requestTimeoutNanos) + " (" + Excerpts.of(m, 200) + ")");
            }
            if (c instanceof ConnectException) {
                return new IOException("could not connect: " + Excerpts.of(String.valueOf(c.getMessage()), 200), t);
            }
            if (c instanceof HttpResponseException) {
                Throwable why = c.getCause() != null ? c.getCause() : c;
                return new IOException("malformed answer (" + Excerpts.of(String.valueOf(why.getMessage()), 120) + ")", t);
            }
            if (c instanceof EOFException) {
                return new IOException("the connection closed before a complete answer", t);
            }
        }
        // a receiver's bytes may be quoted in the message: short and printable, as every message of an attempt
        String m = t.getMessage();
        String what = t instanceof IOException && m != null ? "" : t.getClass().getSimpleName() + (m != null ? ": " : "");
        return new IOException(what + (m != null ? Excerpts.of(m, 200) : ""), t);
    }

    /** Idle pooled connections, all destinations together (tests). */
    int idleConnections() {
        int n = 0;
        for (Destination d : client.getDestinations()) {
            if (d.getConnectionPool() instanceof AbstractConnectionPool p) {
                n += p.getIdleConnectionCount();
            }
        }
        return n;
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // stopping closes the connections and the threads; nothing is left to undo
        }
    }

    /**
     * Hands Jetty the addresses the attempt checked (the request's tag), so a new connection goes
     * to a checked address only; it never resolves the target itself. The proxy's own address
     * (operator configuration) is resolved plainly.
     */
    static final class CheckedResolver implements SocketAddressResolver {
        private final AddressPolicy policy;
        private final Executor executor;

        CheckedResolver(AddressPolicy policy, Executor executor) {
            this.policy = policy;
            this.executor = executor;
        }

        @Override
        public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
            Object d = context.get(Destination.CONTEXT_KEY);
            Destination destination = d instanceof Destination x ? x : null;
            if (destination != null && destination.getProxy() != null) {
                executor.execute(() -> {
                    try {
                        List<InetSocketAddress> out = new ArrayList<>();
                        for (InetAddress a : InetAddress.getAllByName(host)) {
                            out.add(new InetSocketAddress(a, port));
                        }
                        promise.succeeded(out);
                    } catch (UnknownHostException e) {
                        promise.failed(new ConnectException("the proxy host '" + host + "' does not resolve"));
                    }
                });
                return;
            }
            Object tag = destination != null ? destination.getOrigin().getTag() : null;
            if (tag instanceof Checked checked) {
                promise.succeeded(addresses(checked.addresses(), port));
                return;
            }
            // not a request of ours (none are made without a tag): resolve and keep only accepted addresses
            executor.execute(() -> {
                try {
                    List<InetAddress> accepted = new ArrayList<>();
                    for (InetAddress a : InetAddress.getAllByName(host)) {
                        if (policy.refusal(a) == null) {
                            accepted.add(a);
                        }
                    }
                    if (accepted.isEmpty()) {
                        promise.failed(new Refused("host '" + host + "' has no address the policy accepts"));
                    } else {
                        promise.succeeded(addresses(accepted, port));
                    }
                } catch (UnknownHostException e) {
                    promise.failed(new Refused("host '" + host + "' does not resolve"));
                }
            });
        }

        private static List<InetSocketAddress> addresses(List<InetAddress> addresses, int port) {
            List<InetSocketAddress> out = new ArrayList<>(addresses.size());
            for (InetAddress a : addresses) {
                out.add(new InetSocketAddress(a, port));
            }
            return out;
        }
    }

    /** The operator's egress proxy, skipped for the hosts of {@code no-proxy} (a name matches itself and its subdomains). */
    private static final class Proxy extends HttpProxy {
        private final List<String> noProxy;

        Proxy(WebhookSettings.ProxySettings p) {
            super(new Origin.Address(p.host(), p.port()), false);
            this.noProxy = p.noProxy();
        }

        @Override
        public boolean matches(Origin origin) {
            return !WebhookSettings.ProxySettings.bypasses(noProxy, origin.getAddress().getHost()) && super.matches(origin);
        }
    }
}
