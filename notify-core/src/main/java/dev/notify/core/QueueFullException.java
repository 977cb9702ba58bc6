package dev.notify.core;

/**
 * The delivery queue is full: the publish was refused rather than silently dropped. Nothing was
 * stored; retry later or raise {@link ServiceConfig.Builder#queueCapacity(int)}.
 */
public final class QueueFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    QueueFullException(int capacity) {
        super("the delivery queue is full (" + capacity + " deliveries waiting); try again later");
    }
}
