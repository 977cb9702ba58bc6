package dev.notify.channel.ws.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.Identity;
import dev.notify.api.spi.ChannelContext;
import dev.notify.stream.LiveFanOut;
import dev.notify.stream.StreamChannel;

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
public final class WsChannel extends StreamChannel<WsConnection, String> {

    private final WsSettings settings;
    private final WsFrames frames;
    private final ResumeLedger ledger;
    // replay reads, pings and closes may block; they never run on the host's scheduler or a publishing thread
    private final ExecutorService blocking;
    private final ScheduledFuture<?> liveness;

    /** A channel with these settings; registers the endpoint at {@code path} when the context has a web registry. */
    public WsChannel(ChannelContext context, WsSettings settings, String path) {
        super(context, "WebSocket", LiveFanOut.Batching.DURING_FAN_OUT);
        this.settings = settings;
        this.frames = new WsFrames(context.json());
        this.ledger = new ResumeLedger(settings.resumeLedgerSize(), settings.resumeTtl().toMillis());
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
    protected String encode(EventLogEntry e) {
        return frames.event(e);
    }

    @Override
    protected void shutdown() {
        liveness.cancel(false);
        for (WsConnection c : fanOut().connections()) {
            c.closeWith(WsConnection.GOING_AWAY, "server shutting down");
        }
        blocking.shutdown();
        try {
            // let the close frames go out before the container stops
            blocking.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new connection of this user on these topics; the caller subscribes it to the hub. */
    WsConnection newConnection(Identity identity, Set<String> topics) {
        WsConnection c = new WsConnection(this, "ws-" + UUID.randomUUID(), identity, topics);
        fanOut().add(c);
        return c;
    }

    /** Forgets a closed connection and remembers where its client was (unless it never started). */
    void remove(WsConnection c, long ackedThrough, Set<String> topics) {
        fanOut().remove(c);
        if (ackedThrough >= 0) {
            ledger.put(c.clientId(), c.userId(), ackedThrough, topics, context().clock().millis());
        }
    }

    /** Runs a task that may block; refused once the channel is closed. */
    void execute(Runnable task) {
        blocking.execute(task);
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

    private void checkAll() {
        long now = context().clock().millis();
        fanOut().forEachConnection("liveness check", c -> c.checkAlive(now));
        ledger.expire(now);
    }
}
