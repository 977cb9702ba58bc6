package dev.notify.server.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Sends one HTTP/1.1 request exactly as written (no client normalises the path or encodes the
 * query) and reads the whole answer; what the spellings tests need to reach the server unchanged.
 */
final class RawHttp {

    private RawHttp() {
    }

    /**
     * An answer.
     *
     * @param status the status code
     * @param head the status line and headers
     * @param body the body
     */
    record Answer(int status, String head, String body) {
    }

    /** Sends {@code method target} with an optional bearer credential and JSON body. */
    static Answer send(URI base, String method, String target, String bearer, String body) throws IOException {
        return send(base, method, target, bearer, body, "Connection: close\r\n");
    }

    /** Sends a body-less request with extra header lines (each ending in CRLF) instead of {@code Connection: close}. */
    static Answer sendWithHeaders(URI base, String method, String target, String bearer, String headers) throws IOException {
        return send(base, method, target, bearer, null, headers);
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }

    /** The head and a Content-Length body of one answer on a connection the server keeps open. */
    private static String readOneAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            all.write(b);
            String sofar = all.toString(StandardCharsets.ISO_8859_1);
            if (sofar.endsWith("\r\n\r\n")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(sofar);
                if (m.find()) {
                    all.write(in.readNBytes(Integer.parseInt(m.group(1))));
                }
                break;
            }
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    private static Answer send(URI base, String method, String target, String bearer, String body, String headers) throws IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                .append(headers);
        if (bearer != null) {
            req.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        if (body != null) {
            req.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
        }
        req.append("\r\n");
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            String text = headers.contains("Connection: close") ? readToEnd(in) : readOneAnswer(in);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String rest = split < 0 ? "" : text.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Answer(status, head, rest);
        }
    }
}
