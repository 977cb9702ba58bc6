package dev.notify.core;

import dev.notify.api.DeliveryRecord;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The registered {@link DeliveryListener}s, called on the thread that stored the outcome. A
 * listener that throws is logged and skipped; the others still hear of it. Calls only the listeners.
 */
final class DeliveryListeners {

    private static final System.Logger LOG = System.getLogger(DeliveryListeners.class.getName());

    private final List<DeliveryListener> listeners = new CopyOnWriteArrayList<>();

    DeliveryListeners(List<DeliveryListener> initial) {
        listeners.addAll(initial);
    }

    void add(DeliveryListener listener) {
        listeners.add(listener);
    }

    // plain loops rather than one helper taking a lambda: no capture allocated per delivery
    void sent(DeliveryRecord record) {
        for (DeliveryListener l : listeners) {
            try {
                l.onSent(record);
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    void retrying(DeliveryRecord record, String reason) {
        for (DeliveryListener l : listeners) {
            try {
                l.onRetrying(record, reason);
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    void failed(DeliveryRecord record, String reason) {
        for (DeliveryListener l : listeners) {
            try {
                l.onFailed(record, reason);
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    private static void failed(RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a delivery listener failed", e);
    }
}
