package dev.notify.server.web;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A push channel whose first attempt at each notification fails for good, so it becomes a dead letter; a replay succeeds. */
final class FlakyChannel implements Channel {

    static final String NAME = "flaky";

    final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    final Set<String> sent = ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    // only what names this channel: the other tests' notifications stay out of the dead letters
    @Override
    public Set<String> targets(Notification notification) {
        return notification.channels().contains(NAME) ? Channel.super.targets(notification) : Set.of();
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        String id = delivery.notification().id();
        if (failedOnce.add(id)) {
            return DeliveryResult.failed("connection refused by the flaky test receiver");
        }
        sent.add(id);
        return DeliveryResult.sent();
    }
}
