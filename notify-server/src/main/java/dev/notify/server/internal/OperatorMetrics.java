package dev.notify.server.internal;

import dev.notify.api.spi.NotificationStore;
import dev.notify.store.jdbc.JdbcNotificationStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The metrics operators expect next to Notify's own in {@code GET /metrics}, from Micrometer's
 * binders: the JVM (memory, GC, threads, classes, CPU, uptime), Jetty's request thread pool
 * ({@code jetty_threads_*}) and the database connection pool ({@code hikaricp_connections_*}).
 */
public final class OperatorMetrics {

    private OperatorMetrics() {
    }

    /**
     * Binds them to {@code registry}.
     *
     * @return what to close when the server stops (the GC binder listens to the JVM's notifications)
     */
    public static AutoCloseable bind(MeterRegistry registry, QueuedThreadPool pool, NotificationStore store) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new JettyServerThreadPoolMetrics(pool, Tags.empty()).bindTo(registry);
        if (store instanceof JdbcNotificationStore jdbc) {
            jdbc.bindPoolMetrics(registry);
        }
        return gc;
    }
}
