package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Group commit: concurrent calls are queued and executed by a few committer threads, each taking
 * whatever has queued up (at most {@code max}) into one transaction, so that many calls share one
 * disk flush (and, for publishes, one turn of the event-log lock).
 *
 * <p>Every caller still gets all-or-nothing for its own item: when a shared transaction fails,
 * each of its items is retried alone, so one bad item fails only its own caller. A caller returns
 * only once its item is committed (or failed): "returned" means "durable".
 *
 * @param <I> what a caller hands in
 * @param <O> what it gets back
 */
public final class GroupCommitter<I, O> implements AutoCloseable {

    private record Pending<I, O>(I item, CompletableFuture<O> result) {
    }

    private final Function<List<I>, List<O>> inOneTransaction;
    private final int max;
    private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param inOneTransaction executes a list of items in one transaction, results in item order
     * @param max the most items per transaction
     * @param committers how many transactions may be in flight at once
     */
    public GroupCommitter(Function<List<I>, List<O>> inOneTransaction, int max, int committers, String name) {
        this.inOneTransaction = inOneTransaction;
        this.max = max;
        for (int i = 0; i < committers; i++) {
            Thread t = new Thread(this::run, name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    public O submit(I item) {
        if (closed) {
            throw new StoreException("the store is closed");
        }
        Pending<I, O> p = new Pending<>(item, new CompletableFuture<>());
        queue.add(p);
        try {
            // join() ignores interrupts on purpose: the item is in flight and its outcome is known soon.
            return p.result().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                // Rethrown from the caller's thread, so that its stack trace shows the caller.
                cause.addSuppressed(new Exception("submitted here"));
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new StoreException("the store failed: " + cause, cause);
        }
    }

    private void run() {
        List<Pending<I, O>> batch = new ArrayList<>(max);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, max - 1);
                commit(batch);
            } catch (InterruptedException e) {
                // close() interrupts only after the queue is drained or the wait timed out
                break;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending<I, O>> batch) {
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            items.add(p.item());
        }
        try {
            List<O> results = inOneTransaction.apply(items);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException | Error shared) {
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(shared);
                return;
            }
            for (Pending<I, O> p : batch) {
                try {
                    p.result().complete(inOneTransaction.apply(List.of(p.item())).get(0));
                } catch (RuntimeException | Error alone) {
                    p.result().completeExceptionally(alone);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Pending<I, O> p; (p = queue.poll()) != null; ) {
            p.result().completeExceptionally(new StoreException("the store was closed before this was stored"));
        }
    }
}
