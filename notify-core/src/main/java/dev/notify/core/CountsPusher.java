package dev.notify.core;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Pushes users' inbox counts after publishes (this node's and, through the cluster signal, other
 * nodes'), off the publishing and the stream tailer's threads and coalesced per user
 * ({@link ServiceInbox#pushStatsSoon}). Each push is a store read ({@code stats}); made inline, one per
 * notification, it held the tailer, the one thread that feeds every live stream, for a read per
 * notification: at 300 publishes/s on a loaded three-node cluster, cross-node events arrived
 * 340-550 ms after node A answered the publish with signals on, ~70 ms with polling (issue 16's
 * benchmark). Here a request only notes the user; one thread of its own reads and pushes, and a
 * user asked for again while waiting is pushed once. Owns that thread (a daemon, gone after five
 * idle seconds); calls nothing but the push it is given.
 */
final class CountsPusher implements Consumer<String> {

    private static final System.Logger LOG = System.getLogger(CountsPusher.class.getName());

    private final Consumer<String> push;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ThreadPoolExecutor thread;

    CountsPusher(Consumer<String> push) {
        this.push = push;
        this.thread = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "notify-counts");
            t.setDaemon(true);
            return t;
        });
    }

    /** Notes that {@code userId}'s counts changed; they are pushed soon, on the pusher's thread. */
    @Override
    public void accept(String userId) {
        pending.add(userId);
        if (draining.compareAndSet(false, true)) {
            thread.execute(this::drain);
        }
    }

    private void drain() {
        try {
            for (Iterator<String> it = pending.iterator(); it.hasNext(); ) {
                String user = it.next();
                it.remove(); // before the read: a change noted during it is pushed again, with the newer counts
                try {
                    push.accept(user);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "could not push counts of " + user, e);
                }
            }
        } finally {
            draining.set(false);
            // a user noted after the loop passed: drain again rather than leave them waiting for the next request
            if (!pending.isEmpty() && draining.compareAndSet(false, true)) {
                thread.execute(this::drain);
            }
        }
    }
}
