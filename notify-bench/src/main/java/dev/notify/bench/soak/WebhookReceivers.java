package dev.notify.bench.soak;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.notify.bench.BenchSupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's webhook endpoints, real receivers on loopback in this process: healthy ones (the
 * JDK's HTTP server, answering 200 at once and checking each delivery's number and lateness),
 * failing ones (500 to everything) and hanging ones (plain server sockets that accept every
 * connection, read what comes and never answer: the fault that holds a sender longest).
 */
final class WebhookReceivers implements AutoCloseable {

    /** What an endpoint does with a delivery. */
    enum Kind { HEALTHY, FAILING, HANGING }

    /** One endpoint: its kind and URL. */
    record Endpoint(Kind kind, String url) {
    }

    private final Ledger ledger;
    private final long lateAfterNanos;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, BenchSupport.daemon("soak-webhook-receiver"));
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<BitSet> seen = new ArrayList<>();
    private final Selector hangSelector;

    final LongAdder healthyDeliveries = new LongAdder();
    final LongAdder late = new LongAdder();
    final LongAdder failingAttempts = new LongAdder();
    final LongAdder hangingConnections = new LongAdder();
    final AtomicLong worstLatenessNanos = new AtomicLong();

    WebhookReceivers(int healthy, int failing, int hangingCount, Ledger ledger, long lateAfterNanos) throws IOException {
        this.ledger = ledger;
        this.lateAfterNanos = lateAfterNanos;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < healthy; i++) {
            BitSet bits = new BitSet();
            seen.add(bits);
            endpoints.add(new Endpoint(Kind.HEALTHY, serve(loopback, "/healthy-" + i, x -> healthy(x, bits))));
        }
        for (int i = 0; i < failing; i++) {
            endpoints.add(new Endpoint(Kind.FAILING, serve(loopback, "/failing-" + i, this::failing)));
        }
        hangSelector = Selector.open();
        for (int i = 0; i < hangingCount; i++) {
            ServerSocketChannel ss = ServerSocketChannel.open().bind(new InetSocketAddress(loopback, 0), 200);
            ss.configureBlocking(false);
            ss.register(hangSelector, SelectionKey.OP_ACCEPT);
            endpoints.add(new Endpoint(Kind.HANGING, "http://127.0.0.1:" + ((InetSocketAddress) ss.getLocalAddress()).getPort() + "/hanging-" + i));
        }
        BenchSupport.startDaemon("soak-webhook-hanging", this::hang);
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    private interface Handler {
        void handle(HttpExchange x) throws IOException;
    }

    private String serve(InetAddress loopback, String path, Handler h) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, 0), 200);
        server.createContext(path, x -> {
            try (x) {
                h.handle(x);
            }
        });
        server.setExecutor(pool);
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void healthy(HttpExchange x, BitSet bits) throws IOException {
        long now = System.nanoTime();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, -1);
        Publishers.Stamp stamp = Publishers.Stamp.of(body);
        boolean fresh;
        synchronized (bits) {
            fresh = !bits.get(stamp.seq());
            bits.set(stamp.seq());
        }
        if (!fresh) {
            return;
        }
        healthyDeliveries.increment();
        long latency = now - stamp.publishedAtNanos();
        ledger.hookLatency.add(latency);
        if (latency > lateAfterNanos) {
            late.increment();
        }
        worstLatenessNanos.accumulateAndGet(latency, Math::max);
    }

    private void failing(HttpExchange x) throws IOException {
        x.getRequestBody().readAllBytes();
        failingAttempts.increment();
        x.sendResponseHeaders(500, -1);
    }

    // one selector thread for every hanging endpoint: accepts each connection, reads and discards what it is sent,
    // never answers, and closes its end only when the sender closes (its request timeout)
    private void hang() {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        while (hangSelector.isOpen()) {
            try {
                hangSelector.select(500);
                if (!hangSelector.isOpen()) {
                    return;
                }
                Iterator<SelectionKey> it = hangSelector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel c = ((ServerSocketChannel) k.channel()).accept();
                        if (c != null) {
                            c.configureBlocking(false);
                            c.register(hangSelector, SelectionKey.OP_READ);
                            hangingConnections.increment();
                        }
                    } else if (k.isReadable()) {
                        sink.clear();
                        try {
                            if (((SocketChannel) k.channel()).read(sink) < 0) {
                                k.channel().close();
                            }
                        } catch (IOException e) {
                            k.channel().close();
                        }
                    }
                }
            } catch (IOException | ClosedSelectorException e) {
                return;
            }
        }
    }

    /** Connections the hanging endpoints hold open right now (the sender closes them at its request timeout). */
    int heldOpen() {
        try {
            return (int) hangSelector.keys().stream().filter(k -> k.channel() instanceof SocketChannel && k.isValid()).count();
        } catch (ConcurrentModificationException | ClosedSelectorException e) {
            return -1;
        }
    }

    /** Deliveries to healthy endpoints published and not received yet. */
    long backlog() {
        return (long) ledger.publishedToHooks() * seen.size() - healthyDeliveries.sum();
    }

    /** Webhook notifications that some healthy endpoint never received. */
    int missing() {
        int m = 0;
        for (BitSet bits : seen) {
            synchronized (bits) {
                m += ledger.missing("h", ledger.publishedToHooks(), bits);
            }
        }
        return m;
    }

    @Override
    public void close() {
        servers.forEach(s -> s.stop(0));
        try {
            for (SelectionKey k : hangSelector.keys()) {
                k.channel().close();
            }
            hangSelector.close();
        } catch (IOException | ConcurrentModificationException e) {
            // closing anyway
        }
        pool.shutdownNow();
    }
}
