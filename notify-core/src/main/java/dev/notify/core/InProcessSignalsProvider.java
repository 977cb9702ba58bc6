package dev.notify.core;

import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterSignalProvider;
import dev.notify.api.spi.ClusterSignals;

/** The provider of {@link InProcessSignals}, the default cluster signal engine (one node). */
public final class InProcessSignalsProvider implements ClusterSignalProvider {

    /** Needed by {@link java.util.ServiceLoader}. */
    public InProcessSignalsProvider() {
    }

    @Override
    public String name() {
        return InProcessSignals.NAME;
    }

    @Override
    public ClusterSignals create(ClusterContext context) {
        return new InProcessSignals();
    }
}
