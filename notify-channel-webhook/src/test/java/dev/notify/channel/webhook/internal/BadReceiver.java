package dev.notify.channel.webhook.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on a loopback port that misbehaves in one of the ways receivers do in
 * production: it reads the request head and then answers as its {@link Mode} says, on every
 * connection, until closed.
 */
final class BadReceiver implements AutoCloseable {

    /** How the receiver misbehaves. */
    enum Mode {
        /** Not bad at all: answers {@code 200 ok} in one write, keeping the connection alive (the healthy endpoint). */
        HEALTHY,
        /** Accepts, reads the request, never answers. */
        HANG,
        /** Answers {@code 200 OK} one byte per second. */
        ONE_BYTE_PER_SECOND,
        /** Answers {@code 500} with a chunked body that never ends. */
        ENDLESS_BODY,
        /** Reads the request head and resets the connection (RST). */
        RESET,
        /** Announces a 2 GB {@code Content-Length} and sends body bytes as fast as they are read. */
        TWO_GB_CONTENT_LENGTH,
        /** Sends 100,000 {@code 100 Continue} answers before a {@code 200}. */
        CONTINUE_FLOOD
    }

    private final Mode mode;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bad-receiver");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.Queue<String> heads = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    BadReceiver(Mode mode) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    open.add(s);
                    threads.execute(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
    }

    /** The request heads received so far (request line and headers). */
    java.util.List<String> heads() {
        return java.util.List.copyOf(heads);
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    private void serve(Socket s) {
        try (s) {
            String head = readHead(s.getInputStream());
            heads.add(head);
            OutputStream out = s.getOutputStream();
            switch (mode) {
                case HEALTHY -> {
                    while (true) {
                        s.getInputStream().readNBytes(contentLength(head));
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        head = readHead(s.getInputStream());
                        heads.add(head);
                    }
                }
                case HANG -> s.getInputStream().transferTo(OutputStream.nullOutputStream()); // until the client gives up
                case ONE_BYTE_PER_SECOND -> {
                    for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1)) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(1000);
                    }
                }
                case ENDLESS_BODY -> {
                    out.write("HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    byte[] chunk = ("1000\r\n" + "x".repeat(0x1000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    while (true) {
                        out.write(chunk);
                    }
                }
                case RESET -> s.setSoLinger(true, 0);
                case TWO_GB_CONTENT_LENGTH -> {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    byte[] block = "y".repeat(8192).getBytes(StandardCharsets.ISO_8859_1);
                    for (long sent = 0; sent < 2147483648L; sent += block.length) {
                        out.write(block);
                    }
                }
                case CONTINUE_FLOOD -> {
                    byte[] interim = "HTTP/1.1 100 Continue\r\n\r\n".repeat(1000).getBytes(StandardCharsets.ISO_8859_1);
                    for (int i = 0; i < 100; i++) {
                        out.write(interim);
                    }
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                }
                default -> throw new IllegalStateException();
            }
        } catch (IOException | InterruptedException e) {
            // the client cut the connection: what the limits are for
        } finally {
            open.remove(s);
        }
    }

    /** Reads up to the end of the request head; the body (a webhook's JSON) is left unread. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the head ended");
            }
            head.append((char) b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString();
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
