package dev.notify.channel.webhook.internal;

import dev.notify.api.Excerpts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal HTTP/1.1 client for webhook POSTs, connecting only to addresses the
 * {@link AddressPolicy} has just checked, with a keep-alive connection pool.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on Java 17 it has no resolver hook, so it resolves
 * the host again after any check of ours (a DNS-rebinding window), and it refuses to send a
 * {@code Host} header of our choosing, so "connect to the checked IP literal, send the original
 * Host" is impossible with it (short of a JVM-wide system property); for https it would verify
 * the certificate against the IP literal.
 *
 * <p>For every attempt: resolve, check every address (one refused address refuses the attempt).
 * Then either reuse an idle pooled connection whose remote address is <em>one of the addresses
 * just checked</em> (same host name, port and scheme; younger than {@code pool-max-age}, idle for
 * less than {@code pool-idle-timeout}), or connect a plain {@link Socket} to a checked
 * {@link InetAddress} (never a name); for https TLS is layered over that socket with the original
 * host name for SNI and certificate host-name verification ({@code endpointIdentificationAlgorithm
 * = HTTPS}). So every connection was checked when it was opened, and is only used again while the
 * host still resolves to its address: a DNS change (as the resolver reports it, i.e. within the
 * JVM's {@code networkaddress.cache.ttl}) retires the old connections at the next attempt.
 *
 * <p>A connection goes back to the pool only after a complete answer (known length or chunked,
 * fully read, not truncated) without {@code Connection: close}. A reused connection that the server
 * had closed meanwhile (the write fails, or the connection ends before the first byte of an answer)
 * is retried once on a fresh connection within the same attempt; nothing was answered on it.
 * Redirects are never followed; at most {@code maxResponseBytes} of the body are read (a truncated
 * answer closes the connection). Connect and whole-attempt deadlines are enforced with socket
 * timeouts set to the time left before every read, and a sweeper that closes the socket of an
 * attempt past its deadline (a receiver that stops reading cannot hold a worker in a write).
 *
 * <p>Past 600 lines, and left whole on purpose: it is one HTTP/1.1 exchange (request writing,
 * status line, headers, chunked and sized bodies, the keep-alive pool) whose limits are checked
 * together, and issue #14 replaces it with Jetty's non-blocking {@code HttpClient}; splitting it
 * first would only move code that is about to go.
 */
public final class PinnedHttp implements AutoCloseable {

    private static final int MAX_HEADER_BYTES = 64 * 1024;
    /** Most interim (1xx) answers skipped before the real one; a receiver sends one or two. */
    static final int MAX_INTERIM_ANSWERS = 16;
    private static final java.util.regex.Pattern STATUS = java.util.regex.Pattern.compile("[1-9][0-9]{2}");
    private static final long SWEEP_MILLIS = 100;

    private final AddressPolicy policy;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxResponseBytes;
    private final SSLContext tls;
    private final boolean keepAlive;
    private final long idleNanos;
    private final long maxAgeNanos;
    private final int maxIdlePerKey;
    private final Map<Key, ArrayDeque<Conn>> idle = new HashMap<>();
    private final Set<Conn> busy = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweeper;
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private volatile boolean closed;

    /** The answer: status, headers (lower-case names) and the first bytes of the body. */
    public record Response(int status, Map<String, String> headers, String body, boolean truncated) {
        /** A header by lower-case name. */
        public Optional<String> header(String lowerCaseName) {
            return Optional.ofNullable(headers.get(lowerCaseName));
        }
    }

    /** Thrown when the URL or an address is refused before any connection. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** Thrown when the attempt outlived a deadline. */
    public static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }

    /** A reused connection failed before any byte of an answer: the server had closed it. */
    private static final class Stale extends IOException {
        private static final long serialVersionUID = 1L;

        Stale(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** What a pooled connection may serve again: the checked address, the host name (Host, SNI), port and scheme. */
    record Key(InetAddress address, String host, int port, boolean tls) {
    }

    /** A client with the JDK's default TLS context. */
    public PinnedHttp(AddressPolicy policy, WebhookSettings settings, ScheduledExecutorService timer) {
        this(policy, settings, timer, defaultTls());
    }

    /** A client with its own TLS context (tests trust a self-signed certificate this way). */
    public PinnedHttp(AddressPolicy policy, WebhookSettings settings, ScheduledExecutorService timer, SSLContext tls) {
        this.policy = policy;
        this.connectTimeout = settings.connectTimeout();
        this.requestTimeout = settings.requestTimeout();
        this.maxResponseBytes = settings.maxResponseBytes();
        this.tls = tls;
        this.keepAlive = settings.keepAlive() && settings.poolMaxIdlePerHost() > 0;
        this.idleNanos = settings.poolIdleTimeout().toNanos();
        this.maxAgeNanos = settings.poolMaxAge().toNanos();
        // never below the endpoint's concurrency limit, or a busy endpoint would keep closing and opening connections
        this.maxIdlePerKey = Math.max(settings.poolMaxIdlePerHost(), settings.maxConcurrencyPerEndpoint());
        this.sweeper = timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /**
     * POSTs the body and reads the answer.
     *
     * @throws Refused when the URL or an address of its host is refused (nothing was sent)
     * @throws TimedOut when the connect or the whole-attempt deadline passed
     * @throws IOException when the connection failed, was reset, or the answer was not HTTP
     */
    public Response post(String url, List<Map.Entry<String, String>> headers, byte[] body) throws IOException {
        long start = System.nanoTime();
        long deadline = start + requestTimeout.toNanos();
        URI uri;
        InetAddress[] addresses;
        try {
            uri = AddressPolicy.checkForm(url);
            addresses = policy.check(uri);
        } catch (AddressPolicy.RefusedException e) {
            throw new Refused(e.getMessage());
        }
        if (closed) {
            throw new SocketException("the webhook HTTP client is closed");
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        byte[] head = head(uri, host, port, headers, body.length);
        String hostKey = host.toLowerCase(Locale.ROOT);
        Conn c = keepAlive ? pooled(addresses, hostKey, port, https) : null;
        if (c != null) {
            try {
                return exchange(c, head, body, deadline);
            } catch (Stale e) {
                // the server closed the idle connection: nothing was answered on it, send on a fresh one
            }
        }
        c = open(addresses, hostKey, host, port, https, start, deadline);
        return exchange(c, head, body, deadline);
    }

    private byte[] head(URI uri, String host, int port, List<Map.Entry<String, String>> headers, int length) {
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder h = new StringBuilder(512);
        h.append("POST ").append(target);
        if (uri.getRawQuery() != null) {
            h.append('?').append(uri.getRawQuery());
        }
        h.append(" HTTP/1.1\r\nHost: ").append(host);
        if (uri.getPort() >= 0) {
            h.append(':').append(port);
        }
        h.append("\r\n");
        for (Map.Entry<String, String> e : headers) {
            h.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        h.append("Content-Length: ").append(length).append("\r\n");
        if (!keepAlive) {
            h.append("Connection: close\r\n");
        }
        h.append("\r\n");
        return h.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An idle connection to one of the just-checked addresses, or null; stale ones found on the way are closed. */
    private Conn pooled(InetAddress[] addresses, String host, int port, boolean https) {
        long now = System.nanoTime();
        List<Conn> retired = null;
        Conn found = null;
        synchronized (idle) {
            for (InetAddress a : addresses) {
                ArrayDeque<Conn> q = idle.get(new Key(a, host, port, https));
                if (q == null) {
                    continue;
                }
                while (found == null && !q.isEmpty()) {
                    Conn c = q.pollLast(); // the most recently used: the least likely to have been closed by the server
                    if (c.reusableAt(now)) {
                        found = c;
                    } else {
                        (retired == null ? retired = new ArrayList<>() : retired).add(c);
                    }
                }
                if (found != null) {
                    break;
                }
            }
        }
        if (retired != null) {
            retired.forEach(Conn::close);
        }
        if (found != null) {
            reused.incrementAndGet();
        }
        return found;
    }

    private Conn open(InetAddress[] addresses, String hostKey, String host, int port, boolean https, long start, long deadline)
            throws IOException {
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        IOException last = null;
        for (InetAddress a : addresses) {
            long left = Math.min(connectTimeout.toMillis(), (deadline - System.nanoTime()) / 1_000_000);
            if (left <= 0) {
                break;
            }
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(a, port), (int) left);
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                last = new TimedOut("could not connect to " + a.getHostAddress() + ":" + port + " within " + connectTimeout);
                continue;
            } catch (IOException e) {
                closeQuietly(s);
                last = new IOException("could not connect to " + a.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
                continue;
            }
            Conn c = new Conn(new Key(a, hostKey, port, https), s);
            if (https) {
                c.deadline = deadline;
                busy.add(c);
                try {
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, bareHost, port, true);
                    SSLParameters p = ssl.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    if (!host.startsWith("[") && !bareHost.matches("[0-9.]+")) {
                        p.setServerNames(List.of(new SNIHostName(bareHost)));
                    }
                    ssl.setSSLParameters(p);
                    ssl.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    ssl.startHandshake();
                    c.tlsOver(ssl);
                } catch (SocketTimeoutException e) {
                    c.close();
                    throw new TimedOut("no answer within " + requestTimeout);
                } catch (IOException e) {
                    c.close();
                    throw c.expired ? new TimedOut("no answer within " + requestTimeout) : e;
                } finally {
                    busy.remove(c);
                }
            }
            opened.incrementAndGet();
            return c;
        }
        throw last != null ? last : new TimedOut("could not connect within " + requestTimeout);
    }

    /** Sends the request on the connection and reads the answer; pools or closes the connection. */
    private Response exchange(Conn c, byte[] head, byte[] body, long deadline) throws IOException {
        boolean wasReused = c.uses > 0;
        c.uses++;
        c.deadline = deadline;
        c.received = 0;
        c.reusable = false;
        c.ended = false;
        busy.add(c);
        boolean keep = false;
        try {
            if (System.nanoTime() - deadline >= 0) {
                throw new TimedOut("no answer within " + requestTimeout);
            }
            try {
                if (head.length + body.length <= 16 * 1024) {
                    byte[] all = new byte[head.length + body.length];
                    System.arraycopy(head, 0, all, 0, head.length);
                    System.arraycopy(body, 0, all, head.length, body.length);
                    c.out.write(all);
                } else {
                    c.out.write(head);
                    c.out.write(body);
                }
                c.out.flush();
            } catch (IOException e) {
                if (wasReused && !c.expired) {
                    throw new Stale(e);
                }
                throw e;
            }
            Response r;
            try {
                r = read(c);
            } catch (SocketTimeoutException | TimedOut e) {
                throw e;
            } catch (IOException e) {
                if (wasReused && c.received == 0 && !c.expired) {
                    throw new Stale(e);
                }
                throw e;
            }
            keep = c.reusable;
            return r;
        } catch (SocketTimeoutException e) {
            throw new TimedOut("no answer within " + requestTimeout);
        } catch (Stale e) {
            throw e;
        } catch (IOException e) {
            if (c.expired) {
                throw new TimedOut("no complete answer within " + requestTimeout);
            }
            throw e;
        } finally {
            busy.remove(c);
            if (keep && keepAlive && !closed && !c.expired) {
                release(c);
            } else {
                c.close();
            }
        }
    }

    private void release(Conn c) {
        long now = System.nanoTime();
        c.idleSince = now;
        if (!c.reusableAt(now)) {
            c.close();
            return;
        }
        Conn evicted = null;
        synchronized (idle) {
            ArrayDeque<Conn> q = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
            q.addLast(c);
            if (q.size() > maxIdlePerKey) {
                evicted = q.pollFirst();
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        if (closed) {
            closeIdle();
        }
    }

    /** Closes attempts past their deadline and idle connections past their idle timeout or age. */
    private void sweep() {
        long now = System.nanoTime();
        for (Conn c : busy) {
            if (now - c.deadline >= 0) {
                c.expired = true;
                c.close();
            }
        }
        List<Conn> retired = new ArrayList<>();
        synchronized (idle) {
            for (Iterator<ArrayDeque<Conn>> it = idle.values().iterator(); it.hasNext(); ) {
                ArrayDeque<Conn> q = it.next();
                q.removeIf(c -> {
                    if (c.reusableAt(now)) {
                        return false;
                    }
                    retired.add(c);
                    return true;
                });
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
        retired.forEach(Conn::close);
    }

    /** Idle pooled connections (tests and metrics). */
    int idleConnections() {
        synchronized (idle) {
            int n = 0;
            for (ArrayDeque<Conn> q : idle.values()) {
                n += q.size();
            }
            return n;
        }
    }

    /** Connections opened so far. */
    public long connectionsOpened() {
        return opened.get();
    }

    /** Attempts that reused a pooled connection so far. */
    public long connectionsReused() {
        return reused.get();
    }

    private void closeIdle() {
        List<Conn> all = new ArrayList<>();
        synchronized (idle) {
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(Conn::close);
    }

    /** Stops the sweeper and closes the idle connections; attempts in flight finish and close theirs. */
    @Override
    public void close() {
        closed = true;
        sweeper.cancel(false);
        closeIdle();
    }

    // ---- reading an answer --------------------------------------------------------------------

    private Response read(Conn c) throws IOException {
        // interim answers (100 Continue, 103 Early Hints) are skipped in a loop with a cap: a receiver
        // that sends thousands of them once recursed this method into a StackOverflowError
        for (int interim = 0; ; interim++) {
            Head head = readHead(c);
            if (head.status >= 200) {
                return readBody(c, head);
            }
            if (interim >= MAX_INTERIM_ANSWERS) {
                throw new IOException("the answer began with more than " + MAX_INTERIM_ANSWERS + " interim (1xx) answers");
            }
        }
    }

    /** A status line and its headers. */
    private record Head(String statusLine, int status, Map<String, String> headers) {
    }

    private Head readHead(Conn c) throws IOException {
        String statusLine = c.readLine();
        if (statusLine == null) {
            throw new SocketException("the connection closed before an answer");
        }
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("the answer is not HTTP/1.x: '" + Excerpts.of(statusLine, 80) + "'");
        }
        String[] parts = statusLine.split(" ", 3);
        // RFC 9112: status-code = 3DIGIT, 100 and up (Integer.parseInt would also take "+99" or "-1")
        if (parts.length < 2 || !STATUS.matcher(parts[1]).matches()) {
            throw new IOException("malformed status line '" + Excerpts.of(statusLine, 80) + "'");
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            String line = c.readLine();
            if (line == null) {
                throw new SocketException("the connection closed in the middle of the headers");
            }
            if (line.isEmpty()) {
                break;
            }
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                throw new IOException("the answer's headers exceed " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
        }
        return new Head(statusLine, status, headers);
    }

    private Response readBody(Conn c, Head head) throws IOException {
        String statusLine = head.statusLine;
        int status = head.status;
        Map<String, String> headers = head.headers;
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        boolean persistent = statusLine.startsWith("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxResponseBytes, 1024));
        boolean truncated;
        boolean complete;
        String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (status == 204 || status == 304) {
            truncated = false;
            complete = true;
        } else if (te.contains("chunked")) {
            truncated = readChunked(c, body);
            complete = !truncated;
        } else {
            long length = -1;
            try {
                length = Long.parseLong(headers.getOrDefault("content-length", "-1").trim());
            } catch (NumberFormatException e) {
                // read to the end instead
            }
            truncated = copy(c, body, length);
            complete = length >= 0 && !truncated;
        }
        c.reusable = persistent && complete && !c.ended;
        if (c.reusable) {
            keepAliveTimeout(headers.get("keep-alive")).ifPresent(t -> c.idleLimit = Math.min(c.idleLimit, t));
        }
        return new Response(status, Map.copyOf(headers), body.toString(StandardCharsets.UTF_8), truncated);
    }

    /** The idle limit a {@code Keep-Alive: timeout=N} header asks for, half a second early. */
    static Optional<Long> keepAliveTimeout(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (String part : value.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("timeout=")) {
                try {
                    long seconds = Long.parseLong(p.substring(8).trim());
                    return Optional.of(Math.max(0, TimeUnit.SECONDS.toNanos(seconds) - TimeUnit.MILLISECONDS.toNanos(500)));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** Copies up to {@code length} bytes (or to EOF when negative), keeping at most maxResponseBytes; true when truncated. */
    private boolean copy(Conn c, ByteArrayOutputStream body, long length) throws IOException {
        byte[] buf = new byte[4096];
        long left = length < 0 ? Long.MAX_VALUE : length;
        while (left > 0) {
            int room = maxResponseBytes - body.size();
            if (room <= 0) {
                return true; // the rest is not read: the connection closes
            }
            int n = c.read(buf, (int) Math.min(Math.min(buf.length, left), room));
            if (n < 0) {
                c.ended = true; // an answer cut short is kept as it is; the connection is not reused
                return false;
            }
            body.write(buf, 0, n);
            left -= n;
        }
        return false;
    }

    /** Reads a chunked body and its trailer; true when truncated. */
    private boolean readChunked(Conn c, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = c.readLine();
            if (sizeLine == null) {
                c.ended = true;
                return false;
            }
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size '" + Excerpts.of(sizeLine, 80) + "'");
            }
            if (size < 0) {
                // Long.parseLong takes a sign, which a chunk size never has; a negative one read the body to the end
                throw new IOException("malformed chunk size '" + Excerpts.of(sizeLine, 80) + "'");
            }
            if (size == 0) {
                String trailer;
                do {
                    trailer = c.readLine();
                } while (trailer != null && !trailer.isEmpty());
                c.ended |= trailer == null;
                return false;
            }
            if (copy(c, body, size)) {
                return true;
            }
            c.readLine();
        }
    }

    /** The start of a line the receiver sent, for a message that reaches the attempts log: short and printable. */

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    /** One connection: its socket, a read buffer of its own (not synchronised), and its pool bookkeeping. */
    private final class Conn {
        final Key key;
        final long openedAt = System.nanoTime();
        Socket socket;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[8192];
        int pos;
        int lim;
        int uses;
        long received;
        boolean reusable;
        boolean ended;
        long idleSince;
        long idleLimit = idleNanos;
        volatile long deadline;
        volatile boolean expired;

        Conn(Key key, Socket socket) throws IOException {
            this.key = key;
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void tlsOver(SSLSocket ssl) throws IOException {
            socket = ssl;
            in = ssl.getInputStream();
            out = ssl.getOutputStream();
        }

        boolean reusableAt(long now) {
            return !expired && !socket.isClosed() && now - idleSince < idleLimit && now - openedAt < maxAgeNanos;
        }

        /** Fills the buffer: false at EOF. Every read waits at most until the attempt's deadline. */
        private boolean fill() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new TimedOut("no complete answer within " + requestTimeout);
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            received += n;
            pos = 0;
            lim = n;
            return true;
        }

        int read(byte[] into, int max) throws IOException {
            if (pos >= lim && !fill()) {
                return -1;
            }
            int n = Math.min(max, lim - pos);
            System.arraycopy(buf, pos, into, 0, n);
            pos += n;
            return n;
        }

        String readLine() throws IOException {
            StringBuilder sb = null;
            while (true) {
                if (pos >= lim && !fill()) {
                    return sb == null || sb.length() == 0 ? null : sb.toString();
                }
                int start = pos;
                while (pos < lim && buf[pos] != '\n') {
                    pos++;
                }
                int len = pos - start;
                if (sb == null) {
                    sb = new StringBuilder(Math.max(64, len));
                }
                if (sb.length() + len > MAX_HEADER_BYTES) {
                    throw new IOException("a header line exceeds " + MAX_HEADER_BYTES + " bytes");
                }
                for (int i = start; i < start + len; i++) {
                    sb.append((char) (buf[i] & 0xff));
                }
                if (pos < lim) {
                    pos++; // the '\n'
                    int l = sb.length();
                    if (l > 0 && sb.charAt(l - 1) == '\r') {
                        sb.setLength(l - 1);
                    }
                    return sb.toString();
                }
            }
        }

        void close() {
            closeQuietly(socket);
        }
    }
}
