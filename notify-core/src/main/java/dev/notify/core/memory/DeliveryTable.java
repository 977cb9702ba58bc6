package dev.notify.core.memory;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Deliveries by id, in chunks of {@value #CHUNK} slots: ids are handed out in increasing
 * order, so this is a growing array. A chunk is created on its first write and freed once
 * retention has emptied it.
 */
final class DeliveryTable {
    private static final int SHIFT = 12;
    private static final int CHUNK = 1 << SHIFT;
    private volatile AtomicReferenceArray<Chunk> chunks = new AtomicReferenceArray<>(16);

    /** One chunk; {@code retired} is set while a prune decides whether to free it. */
    private static final class Chunk extends AtomicReferenceArray<DeliveryState> {
        private static final long serialVersionUID = 1L;
        volatile boolean retired;

        Chunk() {
            super(CHUNK);
        }
    }

    DeliveryState get(long id) {
        if (id < 0) {
            return null;
        }
        Chunk chunk = chunk(id >>> SHIFT);
        return chunk == null ? null : chunk.get((int) (id & (CHUNK - 1)));
    }

    void put(DeliveryState s) {
        long index = s.id >>> SHIFT;
        int slot = (int) (s.id & (CHUNK - 1));
        Chunk chunk = chunk(index);
        if (chunk == null) {
            chunk = createChunk(index);
        }
        chunk.set(slot, s);
        // Write, then read the flag; a prune sets the flag, then reads the slots. So either the
        // prune sees this delivery and keeps the chunk, or we see the flag and write again
        // once the prune is done (it holds the lock), into whichever chunk is there by then.
        if (chunk.retired) {
            synchronized (this) {
                createChunk(index).set(slot, s);
            }
        }
    }

    void remove(DeliveryState s) {
        Chunk chunk = chunk(s.id >>> SHIFT);
        if (chunk != null) {
            chunk.compareAndSet((int) (s.id & (CHUNK - 1)), s, null);
        }
    }

    void forEach(Consumer<DeliveryState> action) {
        AtomicReferenceArray<Chunk> all = chunks;
        for (int c = 0; c < all.length(); c++) {
            Chunk chunk = all.get(c);
            for (int i = 0; chunk != null && i < CHUNK; i++) {
                DeliveryState s = chunk.get(i);
                if (s != null) {
                    action.accept(s);
                }
            }
        }
    }

    /** Frees the chunks that retention emptied. */
    synchronized void dropEmptyChunks() {
        AtomicReferenceArray<Chunk> all = chunks;
        for (int c = 0; c < all.length(); c++) {
            Chunk chunk = all.get(c);
            if (chunk == null) {
                continue;
            }
            chunk.retired = true;
            if (isEmpty(chunk)) {
                all.set(c, null);
            } else {
                chunk.retired = false;
            }
        }
    }

    private static boolean isEmpty(Chunk chunk) {
        for (int i = 0; i < CHUNK; i++) {
            if (chunk.get(i) != null) {
                return false;
            }
        }
        return true;
    }

    private Chunk chunk(long index) {
        AtomicReferenceArray<Chunk> all = chunks;
        return index < all.length() ? all.get((int) index) : null;
    }

    /** The chunk at {@code index}, created if missing. */
    private synchronized Chunk createChunk(long index) {
        if (index >= Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("delivery ids exhausted");
        }
        AtomicReferenceArray<Chunk> all = chunks;
        if (index >= all.length()) {
            AtomicReferenceArray<Chunk> grown = new AtomicReferenceArray<>((int) Math.min(Integer.MAX_VALUE - 8,
                    Math.max(index + 1, 2L * all.length())));
            for (int c = 0; c < all.length(); c++) {
                grown.set(c, all.get(c));
            }
            chunks = grown;
            all = grown;
        }
        Chunk chunk = all.get((int) index);
        if (chunk == null) {
            chunk = new Chunk();
            all.set((int) index, chunk);
        }
        return chunk;
    }
}
