package dev.notify.stream;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.Delivery;
import dev.notify.stream.internal.FanOutBatch;
import dev.notify.stream.internal.WriteAfterFanOut;
import dev.notify.stream.internal.WriteDuringFanOut;
import dev.notify.stream.internal.WriterPool;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A stream channel's live connections and the fan-out of its deliveries to them: the plumbing a
 * stream channel's {@code deliver} needs, written once for the SSE and WebSocket channels and for
 * third-party stream channels.
 *
 * <p>{@link #deliver} hands each event-log entry to the hub ({@code hub().fanOut(channelName, e)}),
 * which calls the subscribed connections. Three things make a broadcast to thousands of
 * connections cheap, each measured (docs/benchmarks-sse.md, docs/benchmarks-ws.md):
 * <ul>
 *   <li><b>One encoding per broadcast.</b> While an entry fans out, {@link #frameOf} gives every
 *       connection the same frame, encoded by the first connection that asks.</li>
 *   <li><b>Queue now, write after.</b> A connection reached by the fan-out only queues the frame
 *       and calls {@link #defer}; the fan-out then has it {@linkplain StreamConnection#writeQueued
 *       write}, so the hub's loop is not slowed by socket writes.</li>
 *   <li><b>All cores write.</b> A fan-out reaching {@value #PARALLEL_FAN_OUT} or more connections is
 *       written by the delivering thread and a pool of writer threads ({@code
 *       notify-<channel>-writer-N}, one per core, started on first need), as its
 *       {@link Batching} says.</li>
 * </ul>
 *
 * <pre>{@code
 * fanOut = new LiveFanOut<>(context, "SSE", LiveFanOut.Batching.AFTER_FAN_OUT, this::encode);
 * public DeliveryResult deliver(Delivery d) { return fanOut.deliver(d); }
 * // in the connection's Subscriber.onEvent, under its lock:
 * queue.add(fanOut.frameOf(entry));
 * if (!fanOut.defer(this)) writeQueued();
 * }</pre>
 *
 * @param <C> the channel's connection type
 * @param <F> the frame type ({@code byte[]}, {@code String}, ...)
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public final class LiveFanOut<C extends StreamConnection, F> implements AutoCloseable {

    /** Fan-outs reaching fewer connections are written by the delivering thread alone. */
    public static final int PARALLEL_FAN_OUT = 512;
    /** With {@link Batching#DURING_FAN_OUT}, the connections are handed to the writers in chunks of this many. */
    public static final int CHUNK = 64;

    /** How a fan-out's writes are spread over threads. */
    public enum Batching {
        /**
         * Nothing is written while the hub fans out; then the connections are written, past
         * {@value #PARALLEL_FAN_OUT} of them in equal shares over up to one thread per core.
         * Suits writes that complete in the calling thread (a servlet's non-blocking write).
         */
        AFTER_FAN_OUT,
        /**
         * Writes start while the hub still fans out, in chunks of {@value #CHUNK}: at every
         * {@value #PARALLEL_FAN_OUT} connections one more writer joins (up to one per core); the
         * delivering thread writes the last chunk and any chunk no writer took, so a writer thread
         * the OS does not run delays at most its own chunk. Suits asynchronous sends (a
         * WebSocket's {@code sendText}).
         */
        DURING_FAN_OUT
    }

    /** Encodes an entry as the frame every connection sends for it; may throw (the entry is then skipped and logged). */
    @FunctionalInterface
    public interface Encoder<F> {
        /** The frame of this entry. */
        F encode(EventLogEntry entry);
    }

    private final ChannelContext context;
    private final String channelName;
    private final String clientNoun;
    private final Batching batching;
    private final Encoder<F> encoder;
    private final Set<C> connections = ConcurrentHashMap.newKeySet();
    private final Set<C> connectionsView = Collections.unmodifiableSet(connections);
    // a broadcast encodes its frame once, however many connections it reaches
    private final Map<EventLogEntry, SharedFrame<F>> inFlight = new ConcurrentHashMap<>();
    // the connections the current thread's fan-out reached, while it runs
    private final ThreadLocal<FanOutBatch<C>> batch = new ThreadLocal<>();
    private final WriterPool writers;
    private final Consumer<C> writeOne = this::writeOne;
    private final BooleanSupplier closing = this::isClosed;
    private volatile boolean closed;

    /**
     * The fan-out of the channel {@code context} was created for; registers the
     * {@code notify.stream.connections} gauge for it.
     *
     * @param clientNoun how log lines name a client ({@code "SSE"} gives "SSE client sse-...")
     * @param encoder the frame of an entry
     */
    public LiveFanOut(ChannelContext context, String clientNoun, Batching batching, Encoder<F> encoder) {
        this.context = context;
        this.channelName = context.channelName();
        this.clientNoun = clientNoun;
        this.batching = batching;
        this.encoder = encoder;
        this.writers = new WriterPool(channelName);
        context.metrics().gauge("notify.stream.connections", connections::size, "channel", channelName);
    }

    /**
     * Fans each of the delivery's entries out through the hub, in order, and writes what the
     * connections queued (even when the hub's fan-out stopped half-way); counts the connections
     * reached as {@code notify.stream.fanout}.
     */
    public DeliveryResult deliver(Delivery delivery) {
        int reached = 0;
        for (EventLogEntry e : delivery.events()) {
            inFlight.put(e, new SharedFrame<>(this, e));
            FanOutBatch<C> b = newBatch();
            batch.set(b);
            try {
                reached += context.hub().fanOut(channelName, e);
            } finally {
                batch.remove();
                inFlight.remove(e);
                // what the fan-out queued is written even if it stopped half-way
                b.finish();
            }
        }
        context.metrics().count("notify.stream.fanout", reached, "channel", channelName);
        return DeliveryResult.sent();
    }

    private FanOutBatch<C> newBatch() {
        if (batching == Batching.AFTER_FAN_OUT) {
            return new WriteAfterFanOut<>(PARALLEL_FAN_OUT, writers, writeOne);
        }
        return new WriteDuringFanOut<>(PARALLEL_FAN_OUT, CHUNK, writers, writeOne, closing);
    }

    /**
     * Called by a connection that queued a frame: true when it was reached by a {@link #deliver}
     * running on this thread, which will have it {@linkplain StreamConnection#writeQueued write}
     * (with the other connections it reached); false when the connection should write at once.
     */
    public boolean defer(C connection) {
        FanOutBatch<C> b = batch.get();
        if (b == null) {
            return false;
        }
        b.add(connection);
        return true;
    }

    /** The frame of an entry: the one shared by the current fan-out, else a fresh one; null when it cannot be encoded (logged). */
    public F frameOf(EventLogEntry e) {
        SharedFrame<F> f = inFlight.get(e);
        return f != null ? f.get() : encode(e);
    }

    F encode(EventLogEntry e) {
        try {
            return encoder.encode(e);
        } catch (RuntimeException ex) {
            context.logger().log(System.Logger.Level.WARNING, "cannot encode notification " + e.notification().id()
                    + " for " + clientNoun + " clients; skipping it", ex);
            return null;
        }
    }

    private void writeOne(C c) {
        try {
            c.writeQueued();
        } catch (RuntimeException e) {
            context.logger().log(System.Logger.Level.WARNING, "write to " + clientNoun + " client " + c.clientId() + " failed", e);
        }
    }

    /** Adds a live connection (before it is subscribed to the hub). */
    public void add(C connection) {
        connections.add(connection);
    }

    /** Forgets a connection that ended. */
    public void remove(C connection) {
        connections.remove(connection);
    }

    /** How many connections are live. */
    public int connectionCount() {
        return connections.size();
    }

    /** The live connections (a view; it changes as they come and go). */
    public Set<C> connections() {
        return connectionsView;
    }

    /**
     * Runs {@code action} on every live connection; one that throws is logged as
     * "{@code <what>} of {@code <clientNoun>} client {@code <id>} failed" and the others still run.
     */
    public void forEachConnection(String what, Consumer<? super C> action) {
        for (C c : connections) {
            try {
                action.accept(c);
            } catch (RuntimeException e) {
                context.logger().log(System.Logger.Level.WARNING, what + " of " + clientNoun + " client " + c.clientId() + " failed", e);
            }
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Stops the writer threads once their shares are written; later fan-outs are written by the delivering thread. */
    @Override
    public void close() {
        closed = true;
        writers.shutdown();
    }

    // computed by the first connection that needs it
    private static final class SharedFrame<F> {
        private final LiveFanOut<?, F> fanOut;
        private final EventLogEntry entry;
        private F frame;
        private boolean done;

        SharedFrame(LiveFanOut<?, F> fanOut, EventLogEntry entry) {
            this.fanOut = fanOut;
            this.entry = entry;
        }

        synchronized F get() {
            if (!done) {
                frame = fanOut.encode(entry);
                done = true;
            }
            return frame;
        }
    }
}
