package dev.notify.bench.soak;

import dev.notify.bench.BenchSupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The soak's SSE streams: every one read by a single NIO selector thread, so 10,000 streams cost
 * this process 10,000 sockets and one thread. A stream is requested with HTTP/1.0 (the body comes
 * unchunked) and, after a drop, with {@code Last-Event-ID} set to the last id it received, as a
 * browser's EventSource does.
 */
final class SseStreams implements Runnable, AutoCloseable {

    private final InetSocketAddress server;
    private final Ledger ledger;
    private final Consumer<Subscriber> onDropped;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    private volatile boolean closed;

    /** {@code onDropped} hears of a stream the server (or the network) ended. */
    SseStreams(InetSocketAddress server, Ledger ledger, Consumer<Subscriber> onDropped) throws IOException {
        this.server = server;
        this.ledger = ledger;
        this.onDropped = onDropped;
        this.selector = Selector.open();
        BenchSupport.startDaemon("soak-sse", this);
    }

    /** Opens a stream for {@code s}, resuming from its cursor if it has one. */
    void open(Subscriber s) {
        StringBuilder req = new StringBuilder("GET /api/v1/notifications/stream");
        if (s.topicName() != null) {
            req.append("?topics=").append(s.topicName());
        }
        req.append(" HTTP/1.0\r\nHost: ").append(server.getHostString()).append("\r\nAccept: text/event-stream\r\nAuthorization: Bearer ")
                .append(s.token).append("\r\n");
        String cursor = s.cursor;
        if (cursor != null) {
            req.append("Last-Event-ID: ").append(cursor).append("\r\n");
        }
        req.append("\r\n");
        Stream st = new Stream(s, s.connecting(), req.toString().getBytes(StandardCharsets.US_ASCII));
        s.attach(st.generation, st);
        tasks.add(() -> {
            try {
                st.channel = SocketChannel.open();
                st.channel.configureBlocking(false);
                st.channel.connect(server);
                st.channel.register(selector, SelectionKey.OP_CONNECT, st);
            } catch (IOException e) {
                lost(st);
            }
        });
        selector.wakeup();
    }

    /** Closes {@code s}'s stream from the client side (a client going away); {@code onDropped} is not told. */
    void drop(Subscriber s) {
        if (s.leave() instanceof Stream st) {
            tasks.add(() -> closeQuietly(st));
            selector.wakeup();
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        while (!closed) {
            try {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                selector.select(100);
                long now = System.nanoTime();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    Stream st = (Stream) k.attachment();
                    try {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isConnectable()) {
                            st.channel.finishConnect();
                            // the request is small: one write on a fresh socket takes it all
                            st.channel.write(ByteBuffer.wrap(st.request));
                            k.interestOps(SelectionKey.OP_READ);
                        } else if (k.isReadable()) {
                            read(st, now);
                        }
                    } catch (IOException | RuntimeException e) {
                        lost(st);
                    }
                }
            } catch (IOException e) {
                e.printStackTrace();
                return;
            }
        }
        for (SelectionKey k : selector.keys()) {
            closeQuietly((Stream) k.attachment());
        }
    }

    private void read(Stream st, long now) throws IOException {
        buffer.clear();
        int n = st.channel.read(buffer);
        if (n < 0) {
            lost(st);
            return;
        }
        buffer.flip();
        BenchSupport.lines(buffer, st.line, l -> line(st, l, now));
    }

    // one line of the response: the head, then SSE fields; an empty line dispatches the event
    private void line(Stream st, String line, long now) {
        if (!st.headDone) {
            if (st.status == null) {
                st.status = line;
                if (!line.contains(" 200")) {
                    throw new IllegalStateException("stream answered " + line);
                }
            } else if (line.isEmpty()) {
                st.headDone = true;
            }
            return;
        }
        if (line.startsWith("id: ")) {
            st.id = line.substring(4);
        } else if (line.startsWith("event: ")) {
            st.event = line.substring(7);
        } else if (line.startsWith("data: ")) {
            st.data = line.substring(6);
        } else if (line.isEmpty()) {
            dispatch(st, now);
            st.id = null;
            st.event = null;
            st.data = null;
        }
    }

    private void dispatch(Stream st, long now) {
        Subscriber s = st.subscriber;
        if (!s.isCurrent(st.generation)) {
            return;
        }
        if (st.id != null) {
            s.cursor = st.id;
        }
        if ("recent".equals(st.event)) {
            s.greeted = true;
        } else if (st.data != null && st.event != null && st.event.startsWith(Publishers.EVENT_PREFIX)) {
            Publishers.Stamp stamp = Publishers.Stamp.of(st.data);
            s.received(st.event.equals(Publishers.TOPIC_EVENT), stamp.seq(), stamp.publishedAtNanos(), now, ledger);
        }
    }

    // the server or the network ended the stream
    private void lost(Stream st) {
        closeQuietly(st);
        Subscriber s = st.subscriber;
        if (!closed && s.lost(st.generation)) {
            ledger.drops.increment();
            onDropped.accept(s);
        }
    }

    private static void closeQuietly(Stream st) {
        try {
            if (st.channel != null) {
                st.channel.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** One connection of a subscriber, read by the selector thread only. */
    private static final class Stream {
        final Subscriber subscriber;
        final int generation;
        final byte[] request;
        final StringBuilder line = new StringBuilder();
        SocketChannel channel;
        String status;
        boolean headDone;
        String id;
        String event;
        String data;

        Stream(Subscriber subscriber, int generation, byte[] request) {
            this.subscriber = subscriber;
            this.generation = generation;
            this.request = request;
        }
    }
}
