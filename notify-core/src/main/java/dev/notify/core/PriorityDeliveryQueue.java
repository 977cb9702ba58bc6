package dev.notify.core;

import dev.notify.api.Priority;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded blocking queue ordered by {@link Priority} (critical first), first-in first-out inside
 * one level. One FIFO per level makes every operation O(1): the queue it replaces sorted on insert.
 *
 * <p>When full, {@link #offer} refuses (returns false) instead of dropping anything. After
 * {@link #close()}, offers are refused and {@link #take()} returns what is left, then null.
 *
 * @param <E> the element type
 */
final class PriorityDeliveryQueue<E> {

    private static final Priority[] HIGHEST_FIRST = {Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW};

    private final int capacity;
    private final ArrayDeque<E>[] levels;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int size;
    // size as of the last change, readable without the lock (a check made per delivery must not take it)
    private volatile int sizeSeen;
    // taken by a worker but still waiting in memory (parked until its channel has a place): counts against the capacity
    // changed under the lock when taken (one step with the take), without it when released: a worker releases one per job,
    // and a second trip through the lock per job was a measurable share of the push core's cost (issue 12). A reader under
    // the lock may count a just-released job as still held: it refuses at most that many publishes too early, never too late
    private final AtomicInteger held = new AtomicInteger();
    private boolean closed;

    /** A queue holding at most {@code capacity} elements. */
    @SuppressWarnings("unchecked")
    PriorityDeliveryQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.levels = new ArrayDeque[HIGHEST_FIRST.length];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new ArrayDeque<>();
        }
    }

    /** Adds an element at the back of its level; false when the queue is full or closed. */
    public boolean offer(Priority priority, E element) {
        return offer(priority, element, false);
    }

    /**
     * Adds an element, ignoring the capacity. For work that was accepted already and must not be
     * refused now (a retry that came due, an element handed back); false only when closed.
     */
    public boolean offerAccepted(Priority priority, E element) {
        return offer(priority, element, true);
    }

    private boolean offer(Priority priority, E element, boolean ignoreCapacity) {
        Objects.requireNonNull(element, "element");
        lock.lock();
        try {
            if (closed || (!ignoreCapacity && size + held.get() >= capacity)) {
                return false;
            }
            levels[index(priority)].addLast(element);
            size++;
            sizeSeen = size;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code n} more elements fit right now. */
    public boolean hasRoomFor(int n) {
        lock.lock();
        try {
            return !closed && size + held.get() + n <= capacity;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the highest-priority, oldest element, waiting while the queue is empty.
     *
     * @return the element, or null once the queue is closed and empty
     * @throws InterruptedException when interrupted while waiting
     */
    public E take() throws InterruptedException {
        return take(false);
    }

    /**
     * Like {@link #take()}, but the element keeps counting against the capacity until
     * {@link #unhold()}: for a taker that may have to keep it waiting in memory (parked), so that a
     * full queue refuses publishes whether its jobs wait here or there. One step, so no publish
     * slips in between the take and the hold.
     */
    public E takeAndHold() throws InterruptedException {
        return take(true);
    }

    private E take(boolean hold) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                if (closed) {
                    return null;
                }
                notEmpty.await();
            }
            E e = removeFirst();
            if (hold) {
                held.incrementAndGet();
            }
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** An element taken with {@link #takeAndHold()} no longer waits in memory (it runs, or is queued again). */
    public void unhold() {
        held.getAndUpdate(h -> h > 0 ? h - 1 : 0);
    }

    /** How many more elements fit right now (queued and held ones count). */
    public int room() {
        lock.lock();
        try {
            return capacity - size - held.get();
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #take()} but waits at most {@code timeout}; null when nothing came. */
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return removeFirst();
        } finally {
            lock.unlock();
        }
    }

    private E removeFirst() {
        for (ArrayDeque<E> level : levels) {
            E e = level.pollFirst();
            if (e != null) {
                size--;
                sizeSeen = size;
                return e;
            }
        }
        throw new IllegalStateException("size " + size + " but every level is empty");
    }

    /** Removes and returns everything queued, highest priority first. */
    public List<E> drain() {
        lock.lock();
        try {
            List<E> out = new ArrayList<>(size);
            for (ArrayDeque<E> level : levels) {
                out.addAll(level);
                level.clear();
            }
            size = 0;
            sizeSeen = 0;
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further offers and wakes waiting takers once the queue is empty. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many elements wait. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** The number of queued jobs as of the last change, without taking the lock: for heuristics only. */
    int sizeSeen() {
        return sizeSeen;
    }

    /** The elements queued plus those taken and still held: what is not yet handed on. */
    int sizeWithHeld() {
        lock.lock();
        try {
            return size + held.get();
        } finally {
            lock.unlock();
        }
    }

    /** The capacity. */
    public int capacity() {
        return capacity;
    }

    private static int index(Priority p) {
        switch (Objects.requireNonNull(p, "priority")) {
            case CRITICAL: return 0;
            case HIGH: return 1;
            case NORMAL: return 2;
            default: return 3;
        }
    }
}
