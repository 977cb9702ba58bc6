package dev.notify.channel.webhook.internal;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A minimal HTTP/1.1 client for one POST per connection, connecting only to addresses the
 * {@link AddressPolicy} has just checked.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on Java 17 it has no resolver hook, so it resolves
 * the host again after any check of ours (a DNS-rebinding window), and it refuses to send a
 * {@code Host} header of our choosing, so "connect to the checked IP literal, send the original
 * Host" is impossible with it (short of a JVM-wide system property); for https it would verify
 * the certificate against the IP literal. Here, for every attempt: resolve, check every address,
 * connect a plain {@link Socket} to a checked {@link InetAddress} (never a name), and for https
 * layer TLS over that socket with the original host name for SNI and for certificate host-name
 * verification ({@code endpointIdentificationAlgorithm = HTTPS}). The request is sent with
 * {@code Connection: close}; redirects are never followed; at most {@code maxResponseBytes} of the
 * body are read. Connect and whole-attempt deadlines are enforced with socket timeouts and a
 * timer that closes the socket (a receiver dripping bytes cannot hold a worker past the deadline).
 */
public final class PinnedHttp {

    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final AddressPolicy policy;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxResponseBytes;
    private final ScheduledExecutorService timer;
    private final SSLContext tls;

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
        this.timer = timer;
        this.tls = tls;
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
        URI uri;
        InetAddress[] addresses;
        try {
            uri = AddressPolicy.checkForm(url);
            addresses = policy.check(uri);
        } catch (AddressPolicy.RefusedException e) {
            throw new Refused(e.getMessage());
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        AtomicBoolean expired = new AtomicBoolean();
        Socket socket = connect(addresses, port, start);
        ScheduledFuture<?> deadline = null;
        try {
            long left = remainingMillis(start);
            if (left <= 0) {
                throw new TimedOut("no answer within " + requestTimeout);
            }
            Socket s = socket;
            deadline = timer.schedule(() -> {
                expired.set(true);
                closeQuietly(s);
            }, left, TimeUnit.MILLISECONDS);
            if (https) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, bareHost, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.startsWith("[") && !bareHost.matches("[0-9.]+")) {
                    p.setServerNames(List.of(new SNIHostName(bareHost)));
                }
                ssl.setSSLParameters(p);
                ssl.setSoTimeout((int) Math.max(1, remainingMillis(start)));
                ssl.startHandshake();
                socket = ssl;
            }
            String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                target += "?" + uri.getRawQuery();
            }
            StringBuilder head = new StringBuilder(512);
            head.append("POST ").append(target).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(host);
            if (uri.getPort() >= 0) {
                head.append(':').append(port);
            }
            head.append("\r\n");
            for (Map.Entry<String, String> h : headers) {
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            socket.setSoTimeout((int) Math.max(1, remainingMillis(start)));
            return read(new BufferedInputStream(socket.getInputStream(), 8192));
        } catch (SocketTimeoutException e) {
            throw new TimedOut("no answer within " + requestTimeout);
        } catch (IOException e) {
            if (expired.get()) {
                throw new TimedOut("no complete answer within " + requestTimeout);
            }
            throw e;
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            closeQuietly(socket);
        }
    }

    private Socket connect(InetAddress[] addresses, int port, long start) throws IOException {
        IOException last = null;
        for (InetAddress a : addresses) {
            long left = Math.min(connectTimeout.toMillis(), remainingMillis(start));
            if (left <= 0) {
                break;
            }
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(a, port), (int) left);
                return s;
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                last = new TimedOut("could not connect to " + a.getHostAddress() + ":" + port + " within " + connectTimeout);
            } catch (IOException e) {
                closeQuietly(s);
                last = new IOException("could not connect to " + a.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
            }
        }
        throw last != null ? last : new TimedOut("could not connect within " + requestTimeout);
    }

    private long remainingMillis(long start) {
        return requestTimeout.toMillis() - (System.nanoTime() - start) / 1_000_000;
    }

    private Response read(InputStream in) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new SocketException("the connection closed before an answer");
        }
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("the answer is not HTTP/1.x: '" + excerpt(statusLine) + "'");
        }
        String[] parts = statusLine.split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(parts.length > 1 ? parts[1] : "");
        } catch (NumberFormatException e) {
            throw new IOException("malformed status line '" + excerpt(statusLine) + "'");
        }
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        int total = 0;
        while (true) {
            String line = readLine(in);
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
        if (status >= 100 && status < 200) {
            return read(in); // an interim answer (100 Continue): the real one follows
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(maxResponseBytes, 1024));
        boolean truncated;
        String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        if (te.contains("chunked")) {
            truncated = readChunked(in, body);
        } else {
            long length = -1;
            try {
                length = Long.parseLong(headers.getOrDefault("content-length", "-1").trim());
            } catch (NumberFormatException e) {
                // read to the end instead
            }
            truncated = copy(in, body, length);
        }
        return new Response(status, Map.copyOf(headers), body.toString(StandardCharsets.UTF_8), truncated);
    }

    /** Copies up to {@code length} bytes (or to EOF when negative), keeping at most maxResponseBytes. */
    private boolean copy(InputStream in, ByteArrayOutputStream body, long length) throws IOException {
        byte[] buf = new byte[4096];
        long left = length < 0 ? Long.MAX_VALUE : length;
        while (left > 0) {
            int room = maxResponseBytes - body.size();
            if (room <= 0) {
                return true; // the rest is not read: the connection closes
            }
            int n = in.read(buf, 0, (int) Math.min(Math.min(buf.length, left), room));
            if (n < 0) {
                return false;
            }
            body.write(buf, 0, n);
            left -= n;
        }
        return false;
    }

    private boolean readChunked(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                return false;
            }
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size '" + excerpt(sizeLine) + "'");
            }
            if (size == 0) {
                return false;
            }
            if (copy(in, body, size)) {
                return true;
            }
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (sb.length() > MAX_HEADER_BYTES) {
                throw new IOException("a header line exceeds " + MAX_HEADER_BYTES + " bytes");
            }
            sb.append((char) c);
        }
    }

    private static String excerpt(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }
}
