package dev.notify.bench.ws;

import dev.notify.bench.BenchSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.security.MessageDigest;

/**
 * The benchmark's raw NIO WebSocket client: thousands of connections read by one selector thread,
 * so the load client costs little next to the server it measures. Its own file because it is a
 * protocol implementation (upgrade handshake, frame parsing) the benchmark's flow does not need to show.
 */
final class NioWsClient {

    private NioWsClient() {
    }


    /**
     * One WebSocket connection read by the {@link Reactor}: its upgrade request, the handshake
     * check (101 and {@code Sec-WebSocket-Accept}), and the bytes of a frame not yet complete.
     */
    static final class NioConn extends WsBenchmark.Conn {
        private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        final byte[] request;
        final String accept;
        SocketChannel channel;
        boolean upgraded;
        // unparsed bytes (handshake head or a partial frame)
        byte[] pending = new byte[0];
        int pendingLen;
        // a fragmented text message being collected (continuation frames); rare
        java.io.ByteArrayOutputStream fragments;

        NioConn(String host, int port, String path, String token) {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try {
                this.accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** One selector thread for every connection: connects, upgrades, parses server frames, answers pings. */
    static final class Reactor implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);

        Reactor() {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void connect(NioConn c, InetSocketAddress address) {
            tasks.add(() -> {
                try {
                    c.channel = SocketChannel.open();
                    c.channel.configureBlocking(false);
                    c.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    c.channel.connect(address);
                    c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                } catch (IOException e) {
                    c.fail("connect: " + e);
                }
            });
            selector.wakeup();
        }

        void close(NioConn c) {
            tasks.add(c::close);
            selector.wakeup();
        }

        @Override
        public void run() {
            while (true) {
                try {
                    Runnable t;
                    while ((t = tasks.poll()) != null) {
                        t.run();
                    }
                    selector.select(100);
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        NioConn c = (NioConn) k.attachment();
                        try {
                            if (!k.isValid()) {
                                continue;
                            }
                            if (k.isConnectable()) {
                                c.channel.finishConnect();
                                // the request is small: one write on a fresh socket takes it all
                                writeFully(c.channel, ByteBuffer.wrap(c.request));
                                k.interestOps(SelectionKey.OP_READ);
                            } else if (k.isReadable()) {
                                read(c, k);
                            }
                        } catch (IOException | RuntimeException e) {
                            c.fail(String.valueOf(e));
                            k.cancel();
                            c.close();
                        }
                    }
                } catch (IOException e) {
                    e.printStackTrace();
                    return;
                }
            }
        }

        private void read(NioConn c, SelectionKey k) throws IOException {
            buffer.clear();
            int n = c.channel.read(buffer);
            long now = System.nanoTime();
            if (n < 0) {
                k.cancel();
                c.channel.close();
                c.fail("closed by the server");
                return;
            }
            byte[] b;
            int off;
            int len;
            if (c.pendingLen == 0) {
                b = buffer.array();
                off = 0;
                len = n;
            } else {
                if (c.pending.length < c.pendingLen + n) {
                    c.pending = Arrays.copyOf(c.pending, Math.max(c.pendingLen + n, c.pending.length * 2));
                }
                System.arraycopy(buffer.array(), 0, c.pending, c.pendingLen, n);
                b = c.pending;
                off = 0;
                len = c.pendingLen + n;
            }
            int used = c.upgraded ? 0 : handshake(c, b, off, len);
            if (used < 0) {
                keep(c, b, off, len);
                return;
            }
            int p = off + used;
            int end = off + len;
            while (true) {
                int consumed = frame(c, b, p, end - p, now);
                if (consumed <= 0) {
                    break;
                }
                p += consumed;
            }
            keep(c, b, p, end - p);
        }

        // the unparsed tail becomes the connection's pending bytes
        private static void keep(NioConn c, byte[] b, int off, int len) {
            if (len == 0) {
                c.pendingLen = 0;
                if (c.pending.length > 4096) {
                    c.pending = new byte[0];
                }
                return;
            }
            if (b == c.pending) {
                System.arraycopy(b, off, b, 0, len);
            } else {
                if (c.pending.length < len) {
                    c.pending = new byte[Math.max(len, 256)];
                }
                System.arraycopy(b, off, c.pending, 0, len);
            }
            c.pendingLen = len;
        }

        // bytes of the response head (through CRLFCRLF), or -1 when it is not complete yet
        private static int handshake(NioConn c, byte[] b, int off, int len) {
            for (int i = off; i + 3 < off + len; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                    String head = new String(b, off, i - off, StandardCharsets.ISO_8859_1);
                    String[] lines = head.split("\r\n");
                    if (!lines[0].startsWith("HTTP/1.1 101")) {
                        throw new IllegalStateException("upgrade answered " + lines[0]);
                    }
                    String accept = null;
                    for (String l : lines) {
                        int colon = l.indexOf(':');
                        if (colon > 0 && l.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
                            accept = l.substring(colon + 1).trim();
                        }
                    }
                    if (!c.accept.equals(accept)) {
                        throw new IllegalStateException("Sec-WebSocket-Accept " + accept + ", expected " + c.accept);
                    }
                    c.upgraded = true;
                    return i + 4 - off;
                }
            }
            return -1;
        }

        // parses one frame at b[off..off+len); returns its size, or 0 when it is not complete yet
        private int frame(NioConn c, byte[] b, int off, int len, long now) throws IOException {
            if (len < 2) {
                return 0;
            }
            int b0 = b[off] & 0xff;
            int b1 = b[off + 1] & 0xff;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            if ((b1 & 0x80) != 0) {
                throw new IllegalStateException("the server sent a masked frame");
            }
            long payload = b1 & 0x7f;
            int head = 2;
            if (payload == 126) {
                if (len < 4) {
                    return 0;
                }
                payload = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
                head = 4;
            } else if (payload == 127) {
                if (len < 10) {
                    return 0;
                }
                payload = 0;
                for (int i = 0; i < 8; i++) {
                    payload = (payload << 8) | (b[off + 2 + i] & 0xff);
                }
                head = 10;
            }
            if (payload < 0 || payload > 16 * 1024 * 1024) {
                throw new IllegalStateException("frame of " + payload + " bytes");
            }
            if (len < head + payload) {
                return 0;
            }
            int p = off + head;
            int plen = (int) payload;
            switch (opcode) {
                case 0x1 -> {
                    if (fin) {
                        message(c, b, p, plen, now);
                    } else {
                        c.fragments = new java.io.ByteArrayOutputStream();
                        c.fragments.write(b, p, plen);
                    }
                }
                case 0x0 -> {
                    if (c.fragments != null) {
                        c.fragments.write(b, p, plen);
                        if (fin) {
                            byte[] m = c.fragments.toByteArray();
                            c.fragments = null;
                            message(c, m, 0, m.length, now);
                        }
                    }
                }
                case 0x9 -> pong(c, b, p, plen);
                case 0x8 -> {
                    c.fail("close frame from the server");
                    c.channel.close();
                }
                default -> {
                    // binary and pong frames: not used by the benchmark
                }
            }
            return head + plen;
        }

        private static void message(NioConn c, byte[] b, int off, int len, long now) {
            if (!c.greeted && startsWith(b, off, len, STATS)) {
                c.greeted = true;
            }
            byte[] e = c.expectedBytes;
            if (e != null && indexOf(b, off, len, e)) {
                c.arrived(now);
            }
        }

        // a masked pong with the ping's payload (at most 125 bytes)
        private static void pong(NioConn c, byte[] b, int off, int len) throws IOException {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            ByteBuffer out = ByteBuffer.allocate(6 + len);
            out.put((byte) 0x8A).put((byte) (0x80 | len)).put(mask);
            for (int i = 0; i < len; i++) {
                out.put((byte) (b[off + i] ^ mask[i & 3]));
            }
            out.flip();
            writeFully(c.channel, out);
        }

        private static void writeFully(SocketChannel ch, ByteBuffer out) throws IOException {
            for (int tries = 0; out.hasRemaining(); tries++) {
                if (ch.write(out) == 0) {
                    if (tries > 1000) {
                        throw new IOException("the socket does not take a small write");
                    }
                    Thread.onSpinWait();
                }
            }
        }

        private static final byte[] STATS = "{\"type\":\"stats\"".getBytes(StandardCharsets.US_ASCII);

        private static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
            if (len < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (b[off + i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        private static boolean indexOf(byte[] b, int off, int len, byte[] needle) {
            int last = off + len - needle.length;
            byte first = needle[0];
            outer:
            for (int i = off; i <= last; i++) {
                if (b[i] != first) {
                    continue;
                }
                for (int j = 1; j < needle.length; j++) {
                    if (b[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
