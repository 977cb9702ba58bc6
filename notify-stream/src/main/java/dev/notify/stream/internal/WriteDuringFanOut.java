package dev.notify.stream.internal;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Starts writing while the hub still fans out. Starting a write goes through the container one
 * connection at a time (and writes in the calling thread when the socket has room), so a large
 * fan-out is written by several threads: the connections are handed out in chunks as the hub
 * reaches them. Writers start once the fan-out has reached {@code parallelFrom} connections (one
 * more at every further multiple, up to one writing thread per core, the delivering thread
 * included) and write while the hub is still fanning out; the delivering thread writes the last
 * chunk and then takes whatever chunks no writer has taken yet, so no share waits for a thread
 * that is not running. Each connection is in one chunk and writes its own queue in order,
 * whichever thread starts it. (The WebSocket channel's batching, measured in docs/benchmarks-ws.md.)
 *
 * @param <C> the connection type
 */
public final class WriteDuringFanOut<C> implements FanOutBatch<C> {

    private final int parallelFrom;
    private final int chunk;
    private final WriterPool writers;
    private final Consumer<C> write;
    private final BooleanSupplier closing;
    // filled by the delivering thread only
    private Object[] filling;
    private int filled;
    private int reached;
    private int writersStarted;
    // guarded by this: full chunks no thread has taken yet; done once the hub's fan-out ended
    private final ArrayDeque<Object[]> ready = new ArrayDeque<>();
    private boolean done;

    /** A batch that writes each connection with {@code write} (which must not throw); starts no writer once {@code closing}. */
    public WriteDuringFanOut(int parallelFrom, int chunk, WriterPool writers, Consumer<C> write, BooleanSupplier closing) {
        this.parallelFrom = parallelFrom;
        this.chunk = chunk;
        this.writers = writers;
        this.write = write;
        this.closing = closing;
        this.filling = new Object[chunk];
    }

    @Override
    public void add(C connection) {
        filling[filled++] = connection;
        reached++;
        if (filled == chunk) {
            Object[] full = filling;
            filling = new Object[chunk];
            filled = 0;
            if (reached % parallelFrom == 0 && writersStarted < WriterPool.THREADS - 1 && !closing.getAsBoolean() && startWriter(full)) {
                return;
            }
            synchronized (this) {
                ready.add(full);
                notifyAll();
            }
        }
    }

    // a new writer gets its first chunk to itself, then takes from the shared ones
    private boolean startWriter(Object[] first) {
        try {
            writers.execute(() -> {
                writeAll(first, first.length);
                takeAndWrite();
            });
            writersStarted++;
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: this thread writes everything
            return false;
        }
    }

    @Override
    public void finish() {
        synchronized (this) {
            done = true;
            notifyAll();
        }
        writeAll(filling, filled);
        takeAndWrite();
    }

    @SuppressWarnings("unchecked")
    private void writeAll(Object[] connections, int n) {
        for (int i = 0; i < n; i++) {
            write.accept((C) connections[i]);
        }
    }

    private void takeAndWrite() {
        Object[] c;
        while ((c = take()) != null) {
            writeAll(c, c.length);
        }
    }

    // the next chunk; writers wait for one while the fan-out runs; null once none is left
    private synchronized Object[] take() {
        while (true) {
            Object[] c = ready.poll();
            if (c != null || done) {
                return c;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                // the pool is shutting down: the delivering thread writes the rest
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
