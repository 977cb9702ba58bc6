package dev.notify.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, so a fuzzer can send request lines and bodies that
 * {@code java.net.http} refuses to build (raw {@code %}, control characters, any bytes).
 */
final class RawHttp {

    /** The status and what arrived of the answer (head and body) within the time given. */
    record Answer(int status, String text) {
    }

    private RawHttp() {
    }

    /**
     * Sends {@code method target} with the headers and body, reads the status line and then
     * whatever arrives until the server closes or {@code readMillis} pass (a stream never closes).
     */
    static Answer exchange(int port, String method, String target, String headers, byte[] body, int readMillis) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
                    + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long end = 0;
            byte[] buf = new byte[8192];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
                if (end == 0 && got.toString(StandardCharsets.ISO_8859_1).contains("\r\n")) {
                    // the status line is in: from now on wait only readMillis for the rest
                    end = System.currentTimeMillis() + readMillis;
                }
                if (end != 0) {
                    long left = end - System.currentTimeMillis();
                    if (left <= 0) {
                        break;
                    }
                    s.setSoTimeout((int) left);
                }
            }
            String text = got.toString(StandardCharsets.UTF_8);
            String[] status = text.split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
                throw new IOException("no HTTP answer: '" + text.substring(0, Math.min(80, text.length())) + "'");
            }
            return new Answer(Integer.parseInt(status[1]), text);
        }
    }
}
