package dev.notify.core;

import dev.notify.api.DeliveryResult;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A push channel that records every delivery and answers what the test scripts. */
class RecordingPushChannel implements Channel {

    final String name;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    volatile Function<Delivery, DeliveryResult> behaviour = d -> DeliveryResult.sent();

    RecordingPushChannel(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        deliveries.add(delivery);
        return behaviour.apply(delivery);
    }
}
