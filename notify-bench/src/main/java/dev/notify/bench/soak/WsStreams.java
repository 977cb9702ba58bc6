package dev.notify.bench.soak;

import dev.notify.bench.BenchSupport;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The soak's WebSocket connections, on the JDK's {@link java.net.http.WebSocket} (a few
 * {@link HttpClient}s, each one selector thread, share them). After a drop a client reconnects
 * with {@code ?after=} set to the id of the last event it received, as the channel's README tells
 * browser clients to do.
 */
final class WsStreams implements AutoCloseable {

    private final InetSocketAddress server;
    private final Ledger ledger;
    private final Consumer<Subscriber> onDropped;
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private volatile boolean closed;

    WsStreams(InetSocketAddress server, Ledger ledger, Consumer<Subscriber> onDropped, int httpClients) {
        this.server = server;
        this.ledger = ledger;
        this.onDropped = onDropped;
        for (int i = 0; i < httpClients; i++) {
            ExecutorService ex = Executors.newFixedThreadPool(2, BenchSupport.daemon("soak-ws"));
            executors.add(ex);
            clients.add(HttpClient.newBuilder().executor(ex).connectTimeout(Duration.ofSeconds(30)).build());
        }
    }

    /** Opens a connection for {@code s}, resuming from its cursor if it has one. */
    void open(Subscriber s) {
        StringBuilder q = new StringBuilder();
        if (s.topicName() != null) {
            q.append("topics=").append(s.topicName());
        }
        String cursor = s.cursor;
        if (cursor != null) {
            q.append(q.length() == 0 ? "" : "&").append("after=").append(cursor);
        }
        URI uri = URI.create("ws://" + server.getHostString() + ":" + server.getPort() + "/api/v1/notifications/ws"
                + (q.length() == 0 ? "" : "?" + q));
        int gen = s.connecting();
        HttpClient http = clients.get(s.index % clients.size());
        http.newWebSocketBuilder().header("Authorization", "Bearer " + s.token).connectTimeout(Duration.ofSeconds(30))
                .buildAsync(uri, new Listener(s, gen))
                .whenComplete((ws, e) -> {
                    if (e != null) {
                        lost(s, gen);
                    } else {
                        s.attach(gen, ws);
                        if (!s.isCurrent(gen)) {
                            ws.abort();
                        }
                    }
                });
    }

    /** Aborts {@code s}'s connection from the client side (a client going away); {@code onDropped} is not told. */
    void drop(Subscriber s) {
        if (s.leave() instanceof WebSocket ws) {
            ws.abort();
        }
    }

    private void lost(Subscriber s, int gen) {
        if (!closed && s.lost(gen)) {
            ledger.drops.increment();
            onDropped.accept(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        executors.forEach(ExecutorService::shutdownNow);
    }

    /** Reads one connection's frames: control frames for the cursor and greeting, events for the ledger. */
    private final class Listener implements WebSocket.Listener {
        private final Subscriber s;
        private final int gen;
        private final StringBuilder partial = new StringBuilder();

        Listener(Subscriber s, int gen) {
            this.s = s;
            this.gen = gen;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (s.isCurrent(gen)) {
                    frame(frame, now);
                }
            }
            ws.request(1);
            return null;
        }

        private void frame(String f, long now) {
            String id = field(f, "\"id\":");
            if (id != null) {
                s.cursor = id;
                if (f.startsWith("{\"type\":\"" + Publishers.EVENT_PREFIX)) {
                    Publishers.Stamp stamp = Publishers.Stamp.of(f);
                    s.received(f.startsWith("{\"type\":\"" + Publishers.TOPIC_EVENT + "\""), stamp.seq(), stamp.publishedAtNanos(), now, ledger);
                }
            } else if (f.startsWith("{\"type\":\"connected\"")) {
                if (s.cursor == null) {
                    s.cursor = field(f, "\"last_id\":");
                }
            } else if (f.startsWith("{\"type\":\"stats\"")) {
                s.greeted = true;
            }
        }

        // the digits after a key, or null when the frame has no such numeric field
        private String field(String f, String key) {
            int i = f.indexOf(key);
            if (i < 0) {
                return null;
            }
            int from = i + key.length();
            int to = from;
            while (to < f.length() && Character.isDigit(f.charAt(to))) {
                to++;
            }
            return to == from ? null : f.substring(from, to);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            lost(s, gen);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            lost(s, gen);
        }
    }
}
