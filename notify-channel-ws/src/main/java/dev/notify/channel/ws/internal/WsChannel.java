package dev.notify.channel.ws.internal;

import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.Identity;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.api.spi.EventLog;
import dev.notify.api.spi.Inbox;
import dev.notify.api.spi.JsonCodec;
import dev.notify.api.spi.Metrics;
import dev.notify.stream.LiveFanOut;

import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code ws} channel: fans each notification's event-log entries out to the live WebSocket
 * connections through the hub (with {@link LiveFanOut}: one encoding per broadcast, sends started
 * while the hub fans out, large ones from all cores), pings idle ones, and serves the endpoint
 * when the host has HTTP.
 */
public final class WsChannel implements Channel {

    private final ChannelContext context;
    private final WsSettings settings;
    private final WsFrames frames;
    private final ResumeLedger ledger;
    private final LiveFanOut<WsConnection, String> fanOut;
    // replay reads, pings and closes may block; they never run on the host's scheduler or a publishing thread
    private final ExecutorService blocking;
    private final ScheduledFuture<?> liveness;
    private volatile boolean closed;

    /** A channel with these settings; registers the endpoint at {@code path} when the context has a web registry. */
    public WsChannel(ChannelContext context, WsSettings settings, String path) {
        this.context = context;
        this.settings = settings;
        this.frames = new WsFrames(context.json());
        this.ledger = new ResumeLedger(settings.resumeLedgerSize(), settings.resumeTtl().toMillis());
        this.fanOut = new LiveFanOut<>(context, "WebSocket", LiveFanOut.Batching.DURING_FAN_OUT, frames::event);
        this.blocking = blockingExecutor(context.channelName());
        long every = Math.max(100, Math.min(settings.pingInterval().toMillis(), settings.pongTimeout().toMillis()) / 2);
        this.liveness = context.scheduler().scheduleAtFixedRate(this::checkAll, every, every, TimeUnit.MILLISECONDS);
        context.web().ifPresent(web -> WsWeb.register(web, path, this));
    }

    private static ExecutorService blockingExecutor(String channelName) {
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "notify-" + channelName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public String name() {
        return context.channelName();
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.STREAM;
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        return fanOut.deliver(delivery);
    }

    /**
     * Called by a connection that queued a frame during {@link #deliver}'s fan-out: true when the
     * channel starts its send (with the other connections the fan-out reached), false when the
     * connection should start it at once.
     */
    boolean deferSend(WsConnection c) {
        return fanOut.defer(c);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        liveness.cancel(false);
        for (WsConnection c : fanOut.connections()) {
            c.closeWith(WsConnection.GOING_AWAY, "server shutting down");
        }
        fanOut.close();
        blocking.shutdown();
        try {
            // let the close frames go out before the container stops
            blocking.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** The live connections of this channel. */
    public int connectionCount() {
        return fanOut.connectionCount();
    }

    /** A new connection of this user on these topics; the caller subscribes it to the hub. */
    WsConnection newConnection(Identity identity, Set<String> topics) {
        WsConnection c = new WsConnection(this, "ws-" + UUID.randomUUID(), identity, topics);
        fanOut.add(c);
        return c;
    }

    /** Forgets a closed connection and remembers where its client was (unless it never started). */
    void remove(WsConnection c, long ackedThrough, Set<String> topics) {
        fanOut.remove(c);
        if (ackedThrough >= 0) {
            ledger.put(c.clientId(), c.userId(), ackedThrough, topics, clock().millis());
        }
    }

    /** Runs a task that may block; refused once the channel is closed. */
    void execute(Runnable task) {
        blocking.execute(task);
    }

    ChannelContext context() {
        return context;
    }

    WsSettings settings() {
        return settings;
    }

    WsFrames frames() {
        return frames;
    }

    ResumeLedger ledger() {
        return ledger;
    }

    EventLog eventLog() {
        return context.eventLog();
    }

    Inbox inbox() {
        return context.inbox();
    }

    JsonCodec json() {
        return context.json();
    }

    Metrics metrics() {
        return context.metrics();
    }

    System.Logger logger() {
        return context.logger();
    }

    Clock clock() {
        return context.clock();
    }

    /** The frame of an entry: the one encoded for the current fan-out, else a fresh one; null when it cannot be encoded. */
    String frameOf(EventLogEntry e) {
        return fanOut.frameOf(e);
    }

    private void checkAll() {
        long now = clock().millis();
        fanOut.forEachConnection("liveness check", c -> c.checkAlive(now));
        ledger.expire(now);
    }
}
