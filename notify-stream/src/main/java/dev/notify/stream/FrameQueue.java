package dev.notify.stream;

import dev.notify.api.Api;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The frames one connection has yet to write, oldest first, and their total size, so that the
 * connection can tell when its reader fell too far behind.
 *
 * <p>Lean for the common case of a broadcast: the oldest frame sits in a field and a deque is
 * allocated only while two or more wait, and dropped once they are written, so an idle
 * connection holds no buffer and a connection that keeps up allocates nothing per event.
 *
 * <p>A frame may carry a collapse key ({@link #add(Object, String)}): a newer frame of the same key
 * replaces the one still waiting, so a reader that fell behind gets the newest event per key
 * instead of the backlog. The key index exists only while keyed frames wait.
 *
 * <p>Not thread-safe: its connection calls it under its own lock.
 *
 * @param <F> the frame type: {@code byte[]} for a byte stream, {@code String} for text frames
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public final class FrameQueue<F> {

    private final ToIntFunction<? super F> sizeOf;
    private F head;
    private ArrayDeque<F> tail;
    private int count;
    private long size;
    private Map<String, F> waitingByKey; // null while no keyed frame waits
    private Map<F, String> keyOf; // by identity: two frames with equal bytes are still two frames

    /** A queue that measures a frame with {@code sizeOf} (bytes, characters: whatever its limit counts). */
    public FrameQueue(ToIntFunction<? super F> sizeOf) {
        this.sizeOf = sizeOf;
    }

    /** A queue of encoded byte frames, measured in bytes. */
    public static FrameQueue<byte[]> ofBytes() {
        return new FrameQueue<>(FrameQueue::byteLength);
    }

    /** A queue of text frames, measured in characters. */
    public static FrameQueue<String> ofText() {
        return new FrameQueue<>(String::length);
    }

    private static int byteLength(byte[] frame) {
        return frame.length;
    }

    /** Adds a frame after the others. */
    public void add(F frame) {
        if (head == null) {
            head = frame;
        } else {
            if (tail == null) {
                tail = new ArrayDeque<>(4);
            }
            tail.add(frame);
        }
        count++;
        size += sizeOf.applyAsInt(frame);
    }

    /**
     * Adds a frame after the others; when a frame of the same {@code collapseKey} still waits, it
     * is dropped: the newest of a key supersedes it. A null key adds as {@link #add(Object)}.
     */
    public void add(F frame, String collapseKey) {
        if (collapseKey != null) {
            if (waitingByKey == null) {
                waitingByKey = new HashMap<>();
                keyOf = new IdentityHashMap<>();
            }
            F previous = waitingByKey.put(collapseKey, frame);
            keyOf.put(frame, collapseKey);
            if (previous != null) {
                keyOf.remove(previous);
                remove(previous);
            }
        }
        add(frame);
    }

    // removes a waiting frame, found by identity
    private void remove(F frame) {
        if (head == frame) {
            head = tail == null ? null : tail.poll();
            if (tail != null && tail.isEmpty()) {
                tail = null;
            }
        } else if (tail != null) {
            Iterator<F> it = tail.iterator();
            while (it.hasNext()) {
                if (it.next() == frame) {
                    it.remove();
                    break;
                }
            }
            if (tail.isEmpty()) {
                tail = null;
            }
        }
        count--;
        size -= sizeOf.applyAsInt(frame);
    }

    /** The oldest frame, removed from the queue; null when none waits. */
    public F poll() {
        F frame = head;
        if (frame == null) {
            return null;
        }
        if (tail != null) {
            head = tail.poll();
            if (tail.isEmpty()) {
                tail = null;
            }
        } else {
            head = null;
        }
        count--;
        size -= sizeOf.applyAsInt(frame);
        if (keyOf != null) {
            String key = keyOf.remove(frame);
            if (key != null) {
                waitingByKey.remove(key, frame);
            }
            if (keyOf.isEmpty()) {
                keyOf = null;
                waitingByKey = null;
            }
        }
        return frame;
    }

    /** Forgets every waiting frame. */
    public void clear() {
        head = null;
        tail = null;
        count = 0;
        size = 0;
        waitingByKey = null;
        keyOf = null;
    }

    /** Whether no frame waits. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** How many frames wait. */
    public int count() {
        return count;
    }

    /** The waiting frames' total size. */
    public long size() {
        return size;
    }

    /**
     * Whether more than {@code maxFrames} frames or {@code maxSize} in size wait. One frame always
     * fits, however large, so a big notification alone never disconnects a reader.
     */
    public boolean overLimit(int maxFrames, long maxSize) {
        return count > 1 && (count > maxFrames || size > maxSize);
    }
}
