package dev.notify.core.memory;

import dev.notify.api.Notification;

/** A stored notification and the block of delivery ids reserved for it when it was saved. */
final class StoredNotification {
    final Notification notification;
    final long firstDelivery;
    final int deliveryCount;

    StoredNotification(Notification notification, long firstDelivery, int deliveryCount) {
        this.notification = notification;
        this.firstDelivery = firstDelivery;
        this.deliveryCount = deliveryCount;
    }
}
