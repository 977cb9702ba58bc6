package dev.notify.stream;

import dev.notify.api.Api;

import java.util.ArrayDeque;
import java.util.function.ToIntFunction;

/**
 * The frames one connection has yet to write, oldest first, and their total size, so that the
 * connection can tell when its reader fell too far behind.
 *
 * <p>Lean for the common case of a broadcast: the oldest frame sits in a field and a deque is
 * allocated only while two or more wait, and dropped once they are written, so an idle
 * connection holds no buffer and a connection that keeps up allocates nothing per event.
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
        return frame;
    }

    /** Forgets every waiting frame. */
    public void clear() {
        head = null;
        tail = null;
        count = 0;
        size = 0;
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
