package dev.notify.stream.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Writes nothing while the hub fans out; then the connections it reached are written one at a
 * time, and past {@code parallelFrom} connections they are split in equal shares over up to one
 * thread per core, the delivering thread taking the first share. (The SSE channel's batching,
 * measured in docs/benchmarks-sse.md.)
 *
 * @param <C> the connection type
 */
public final class WriteAfterFanOut<C> implements FanOutBatch<C> {

    private final List<C> reached = new ArrayList<>();
    private final int parallelFrom;
    private final WriterPool writers;
    private final Consumer<C> write;

    /** A batch that writes each connection with {@code write} (which must not throw). */
    public WriteAfterFanOut(int parallelFrom, WriterPool writers, Consumer<C> write) {
        this.parallelFrom = parallelFrom;
        this.writers = writers;
        this.write = write;
    }

    @Override
    public void add(C connection) {
        reached.add(connection);
    }

    @Override
    public void finish() {
        int n = reached.size();
        int parts = n < parallelFrom ? 1 : Math.min(WriterPool.THREADS, (n + parallelFrom - 1) / parallelFrom);
        int per = (n + parts - 1) / parts;
        for (int p = 1; p < parts; p++) {
            List<C> share = reached.subList(p * per, Math.min(n, (p + 1) * per));
            try {
                writers.execute(() -> writeAll(share));
            } catch (RejectedExecutionException e) {
                writeAll(share);
            }
        }
        writeAll(reached.subList(0, Math.min(n, per)));
    }

    private void writeAll(List<C> connections) {
        for (C c : connections) {
            write.accept(c);
        }
    }
}
