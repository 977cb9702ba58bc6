package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Group commit: concurrent calls are queued and executed by one committer thread, which takes
 * whatever has queued up (at most {@code max}) into one transaction, so that many calls share one
 * disk flush (and, for publishes, one turn of the event-log lock).
 *
 * <p>Every caller still gets all-or-nothing for its own item: when a shared transaction fails,
 * each of its items is retried alone, so one bad item fails only its own caller. A caller returns
 * only once its item is committed and durable (or failed): "returned" means "durable". A group
 * weighing less than {@code overlapWeight} is made durable by the committer right after its commit
 * ({@link Durability#writeNow()}); a heavier one is handed to {@link Durability#afterCommit()} and
 * the committer executes the next group while it is written (on H2; elsewhere commits are durable
 * when they return and both are free).
 *
 * @param <I> what a caller hands in
 * @param <O> what it gets back
 */
public final class GroupCommitter<I, O> implements AutoCloseable {

    private record Pending<I, O>(I item, CompletableFuture<O> result) {
    }

    private final Function<List<I>, List<O>> inOneTransaction;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Durability durability;
    private final int max;
    private final ToIntFunction<I> weigher;
    private final int overlapWeight;
    private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param inOneTransaction executes a list of items in one transaction and commits it (without
     *        waiting for durability), results in item order
     * @param durability tells when a commit is durable
     * @param max the most items per transaction
     * @param weigher how much work an item is (publishes: their notifications)
     * @param overlapWeight from which group weight the next group is executed while this one is
     *        written; {@link Integer#MAX_VALUE} never overlaps
     * @param name the committer thread's name
     */
    public GroupCommitter(Function<List<I>, List<O>> inOneTransaction, Durability durability, int max,
                          ToIntFunction<I> weigher, int overlapWeight, String name) {
        this.inOneTransaction = inOneTransaction;
        this.durability = durability;
        this.max = max;
        this.weigher = weigher;
        this.overlapWeight = overlapWeight;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
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
        // At most two groups in flight: the one being executed and the one before it being written.
        // Waiting for the one before lets the queue fill meanwhile, so groups stay large.
        CompletableFuture<Void> writing = DONE;
        while (!closed || !queue.isEmpty()) {
            try {
                Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int weight = weigher.applyAsInt(first.item());
                while (batch.size() < max) {
                    Pending<I, O> next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    weight += weigher.applyAsInt(next.item());
                }
                CompletableFuture<Void> written = commit(batch, weight);
                writing.exceptionally(e -> null).join();
                writing = written;
            } catch (InterruptedException e) {
                // close() interrupts only after the queue is drained or the wait timed out
                break;
            } finally {
                batch.clear();
            }
        }
    }

    /** Commits the group; returns when its callers will have been answered (already, or once the future completes). */
    private CompletableFuture<Void> commit(List<Pending<I, O>> batch, int weight) {
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            items.add(p.item());
        }
        List<Pending<I, O>> committed = new ArrayList<>(batch);
        List<O> results;
        try {
            results = inOneTransaction.apply(items);
        } catch (RuntimeException | Error shared) {
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(shared);
                return DONE;
            }
            committed.clear();
            results = new ArrayList<>(batch.size());
            for (Pending<I, O> p : batch) {
                try {
                    results.add(inOneTransaction.apply(List.of(p.item())).get(0));
                    committed.add(p);
                } catch (RuntimeException | Error alone) {
                    p.result().completeExceptionally(alone);
                }
            }
        }
        if (committed.isEmpty()) {
            return DONE;
        }
        if (weight < overlapWeight) {
            // A small group: make it durable here and now. Overlapping small groups costs more (a write
            // each, whose cost is mostly fixed, and a thread hop) than it gains.
            Throwable failed = null;
            try {
                durability.writeNow();
            } catch (RuntimeException | Error e) {
                failed = e;
            }
            complete(committed, results, failed);
            return DONE;
        }
        // A large group: the next one is executed while this one is written (on H2, see Durability).
        List<O> out = results;
        CompletableFuture<Void> durable = durability.afterCommit();
        durable.whenComplete((done, failed) -> complete(committed, out, failed instanceof CompletionException ? failed.getCause() : failed));
        return durable;
    }

    private void complete(List<Pending<I, O>> committed, List<O> results, Throwable failed) {
        for (int i = 0; i < committed.size(); i++) {
            if (failed == null) {
                committed.get(i).result().complete(results.get(i));
            } else {
                committed.get(i).result().completeExceptionally(failed);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        for (Pending<I, O> p; (p = queue.poll()) != null; ) {
            p.result().completeExceptionally(new StoreException("the store was closed before this was stored"));
        }
    }
}
