package dev.notify.store.jdbc.internal;

import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for single publishes: concurrent {@code save} calls are queued and written by a
 * couple of committer threads, each taking whatever has queued up (at most {@code max}) into one
 * transaction, so many publishes share one disk flush and one turn of the event-log lock.
 *
 * <p>Every caller still gets all-or-nothing for its own publish: when a shared transaction
 * fails, each of its publishes is retried alone, so one bad publish fails only its own caller.
 * A caller returns only once its publish is committed (or failed): "returned" means "durable".
 */
public final class GroupCommitter implements AutoCloseable {

    private static final int COMMITTERS = 2;

    private record Pending(PublishRequest request, CompletableFuture<PublishResult> result) {
    }

    private final Publisher publisher;
    private final int max;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    public GroupCommitter(Publisher publisher, int max, String name) {
        this.publisher = publisher;
        this.max = max;
        for (int i = 0; i < COMMITTERS; i++) {
            Thread t = new Thread(this::run, name + "-committer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    public PublishResult save(PublishRequest request) {
        if (closed) {
            throw new StoreException("the store is closed");
        }
        Pending p = new Pending(request, new CompletableFuture<>());
        queue.add(p);
        try {
            // join() ignores interrupts on purpose: the publish is in flight and its outcome is known soon.
            return p.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new StoreException("storing a notification failed: " + e.getCause(), e.getCause());
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(max);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
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

    private void commit(List<Pending> batch) {
        List<PublishRequest> requests = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            requests.add(p.request());
        }
        try {
            List<PublishResult> results = publisher.saveAll(requests);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException | Error shared) {
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(shared);
                return;
            }
            for (Pending p : batch) {
                try {
                    p.result().complete(publisher.saveAll(List.of(p.request())).get(0));
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
        for (Pending p; (p = queue.poll()) != null; ) {
            p.result().completeExceptionally(new StoreException("the store was closed before the notification was stored"));
        }
    }
}
