package dev.notify.stream.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that write a large fan-out besides the delivering thread: one per core, daemons
 * named {@code notify-<channel>-writer-N}, started by the first fan-out large enough to split, so
 * a channel that never sees one starts none.
 */
public final class WriterPool {

    /** Writing threads a fan-out may use, the delivering thread included. */
    public static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final String threadPrefix;
    // guarded by this
    private ExecutorService pool;
    private boolean shutDown;

    /** A pool whose threads are named {@code notify-<channelName>-writer-N}. */
    public WriterPool(String channelName) {
        this.threadPrefix = "notify-" + channelName + "-writer-";
    }

    /**
     * Runs a share of a fan-out on a writer thread.
     *
     * @throws RejectedExecutionException once the pool is shut down: the caller writes the share itself
     */
    public void execute(Runnable share) {
        pool().execute(share);
    }

    private synchronized ExecutorService pool() {
        if (shutDown) {
            throw new RejectedExecutionException("the writers of " + threadPrefix + "* are shut down");
        }
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, threadPrefix + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Lets the running shares finish and refuses new ones. */
    public synchronized void shutdown() {
        shutDown = true;
        if (pool != null) {
            pool.shutdown();
        }
    }
}
