package dev.notify.channel.poll.internal;

import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.Subscription;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A waiting long poll: a hub subscriber holding a suspended request. The first matching event
 * (or shutdown, or the end of the wait) answers it once, from a container thread.
 */
final class LongPoll implements Subscriber, AsyncListener {

    private final PollChannel channel;
    private final String clientId = "poll-" + UUID.randomUUID();
    private final String userId;
    private final Set<String> topics;
    private final long after;
    private final int limit;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile Subscription subscription;
    private volatile AsyncContext async;

    LongPoll(PollChannel channel, String userId, Set<String> topics, long after, int limit) {
        this.channel = channel;
        this.userId = userId;
        this.topics = topics;
        this.after = after;
        this.limit = limit;
    }

    String clientId() {
        return clientId;
    }

    void attach(Subscription s) {
        this.subscription = s;
    }

    /** Suspends the request; if an event arrived while it was being set up, answers at once. */
    void start(AsyncContext a) {
        this.async = a;
        channel.add(this);
        if (woken.get() || channel.isClosed()) {
            a.start(this::answer);
        }
    }

    @Override
    public void onEvent(EventLogEntry entry) {
        wake();
    }

    @Override
    public void onSignal(HubSignal signal) {
        if (signal instanceof HubSignal.ShuttingDown) {
            wake();
        }
    }

    /** Answers soon, off the calling (publishing) thread. */
    void wake() {
        if (!woken.compareAndSet(false, true)) {
            return;
        }
        AsyncContext a = async;
        if (a != null) {
            try {
                a.start(this::answer);
            } catch (IllegalStateException e) {
                // already completed (timed out or the client left)
            }
        }
    }

    // reads the log and writes the answer; the first caller wins
    void answer() {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        unsubscribe();
        AsyncContext a = async;
        try {
            PollServlet.writeAnswer((HttpServletResponse) a.getResponse(), channel, userId, topics, after, limit);
        } catch (Exception e) {
            channel.context().logger().log(System.Logger.Level.DEBUG, () -> "long poll " + clientId + " could not answer: " + e);
        } finally {
            try {
                a.complete();
            } catch (IllegalStateException e) {
                // the container completed it already
            }
        }
    }

    private void unsubscribe() {
        channel.remove(this);
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        answer();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        answered.set(true);
        unsubscribe();
    }

    @Override
    public void onError(AsyncEvent event) {
        answered.set(true);
        unsubscribe();
        try {
            event.getAsyncContext().complete();
        } catch (IllegalStateException e) {
            // completed already
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }
}
