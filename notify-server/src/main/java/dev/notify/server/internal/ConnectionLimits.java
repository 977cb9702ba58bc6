package dev.notify.server.internal;

import com.sun.management.UnixOperatingSystemMXBean;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the server's sockets below the process's file-descriptor limit, so the database pool,
 * webhook connects and the store's files always find a descriptor:
 * <ul>
 *   <li>a total cap on network connections ({@link NetworkConnectionLimit}: at the cap Jetty stops
 *       accepting until one closes, and shortens the idle timeout of those it holds);</li>
 *   <li>a header-read timeout: a connection that has not sent one complete request head within it
 *       is closed, so slow-header clients (one byte every 25 s) cannot hold sockets without logging in;</li>
 *   <li>a stream threshold below the cap: past it new streams are refused with 503 and
 *       {@code Retry-After} (see {@link StreamAdmission}), which keeps room for publishing and inbox calls
 *       while the streams already open keep running.</li>
 * </ul>
 */
public final class ConnectionLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
    /**
     * What a default leaves to everything that is not a client socket: the database pool (10), webhook
     * connects (bounded by the workers), the jars and data files, the JVM's own; 600 is several times
     * what a busy node holds, and small enough that a 20,000-descriptor process still holds 19,000 streams.
     */
    private static final int MIN_OTHER_DESCRIPTORS = 600;
    /** Most connections kept for short requests (publishing, inbox calls) past the stream threshold. */
    private static final int MAX_REQUEST_HEADROOM = 256;
    /** Used when the process limit cannot be read (a non-Unix JVM). */
    private static final int FALLBACK = 10_000;

    private final int maxConnections;
    private final int streamThreshold;
    private final Duration headerTimeout;
    private volatile NetworkConnectionLimit limit;

    /**
     * Limits for {@code maxConnections} connections (0: derived from the process limit) and a
     * header-read timeout.
     */
    public ConnectionLimits(int maxConnections, Duration headerTimeout) {
        this.maxConnections = maxConnections > 0 ? maxConnections : defaultFor(processDescriptorLimit());
        // a tenth of the connections (at least two, at most 256) stays for requests that are not streams
        this.streamThreshold = this.maxConnections - Math.max(2, Math.min(MAX_REQUEST_HEADROOM, this.maxConnections / 10));
        this.headerTimeout = headerTimeout;
    }

    /**
     * The default cap for a process allowed {@code descriptors} open files: 600 (or a thirty-second
     * of a larger limit) left for the rest, at least 16 connections.
     */
    public static int defaultFor(long descriptors) {
        if (descriptors <= 0) {
            return FALLBACK;
        }
        long other = Math.max(MIN_OTHER_DESCRIPTORS, descriptors / 32);
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, descriptors - other));
    }

    /** The process's limit on open files, or -1 when the JVM does not say (not a Unix JVM). */
    static long processDescriptorLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** The total connection cap. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Puts the cap and the header-read timeout on the connector. */
    public void install(Server server, ServerConnector connector) {
        NetworkConnectionLimit l = new NetworkConnectionLimit(maxConnections, connector);
        // at the cap, idle keep-alive connections make room sooner
        l.setEndPointIdleTimeout(Math.min(connector.getIdleTimeout(), 5_000));
        server.addBean(l);
        limit = l;
        connector.addBean(new HeaderTimeout(connector, headerTimeout.toMillis()));
        LOG.info("at most {} connections; new streams refused past {}; request heads must arrive within {}",
                maxConnections, streamThreshold, headerTimeout);
    }

    /** Whether a new stream would take the room kept for short requests. */
    public boolean streamsFull() {
        NetworkConnectionLimit l = limit;
        return l != null && l.getNetworkConnectionCount() > streamThreshold;
    }

    /**
     * Closes a connection that has not completed a request head within the timeout. One sweep over
     * the connector's connections a fraction of the timeout apart, not a timer per connection: a
     * timer cost every connection ~120 bytes of heap until it fired (an idle stream held one for
     * the whole timeout) and every accept a trip through the scheduler's lock.
     */
    private static final class HeaderTimeout extends org.eclipse.jetty.util.component.AbstractLifeCycle implements Runnable {

        private final ServerConnector connector;
        private final long timeoutMillis;
        private final long everyMillis;
        private volatile org.eclipse.jetty.util.thread.Scheduler.Task next;

        HeaderTimeout(ServerConnector connector, long timeoutMillis) {
            this.connector = connector;
            this.timeoutMillis = timeoutMillis;
            // a slow head is closed between the timeout and a quarter of it later
            this.everyMillis = Math.max(50, Math.min(1_000, timeoutMillis / 4));
        }

        @Override
        protected void doStart() {
            schedule();
        }

        @Override
        protected void doStop() {
            org.eclipse.jetty.util.thread.Scheduler.Task t = next;
            if (t != null) {
                t.cancel();
            }
        }

        private void schedule() {
            if (isRunning() || isStarting()) {
                next = connector.getScheduler().schedule(this, everyMillis, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void run() {
            try {
                long now = System.currentTimeMillis();
                for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                    Connection connection = endPoint.getConnection();
                    if (now - endPoint.getCreatedTimeStamp() >= timeoutMillis && connection != null && isSlowHead(connection)) {
                        LOG.debug("closing {}: no complete request head within {} ms", endPoint.getRemoteSocketAddress(), timeoutMillis);
                        endPoint.close();
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("could not check the connections for slow request heads", e);
            } finally {
                schedule();
            }
        }

        /**
         * A client that sent part of a request head and not the rest. Not: a connection that was
         * served or upgraded (a WebSocket), one whose head is complete and waits for a thread, or one
         * this server has read nothing from yet (a load test's 10,000 connects lost every WebSocket
         * the server had not read within the timeout before this check); under a reconnect storm the server itself may be
         * seconds behind on reading, and closing those would turn its own backlog into lost clients
         * (a silent client is the idle timeout's to close).
         */
        private static boolean isSlowHead(Connection connection) {
            EndPoint endPoint = connection.getEndPoint();
            // Jetty's HTTP/1.1 connection counts a message when the parser completes a head, before any
            // thread handles it, so "no message yet" means "head incomplete" once some bytes were read
            // an HTTP/1.1 connection only (Jetty's is its own ConnectionMetaData): an upgraded WebSocket connection
            // counts frames as messages, and an idle one has none
            return connection instanceof org.eclipse.jetty.server.ConnectionMetaData && endPoint.isOpen()
                    && connection.getMessagesIn() == 0 && connection.getBytesIn() > 0;
        }

    }
}
