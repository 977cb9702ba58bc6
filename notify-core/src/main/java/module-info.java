/**
 * The Notify engine: {@link dev.notify.core.NotificationService} with its priority queue, workers,
 * delivery tracker, templates, live-subscriber hub and JSON codec, plus the in-memory store.
 */
module dev.notify.core {
    requires transitive dev.notify.api;
    requires jakarta.json.bind;
    requires jakarta.json;
    requires com.samskivert.jmustache;
    requires micrometer.core;

    exports dev.notify.core;
    exports dev.notify.core.memory;

    uses dev.notify.api.spi.ChannelProvider;
    uses dev.notify.api.spi.ClusterSignalProvider;

    provides dev.notify.api.spi.ClusterSignalProvider with dev.notify.core.InProcessSignalsProvider;
}
