package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.Config;
import dev.notify.api.spi.Metrics;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The host of one cluster signal engine in a test: records the messages of other nodes and the
 * resync requests the engine hands it, so that several "nodes" with an engine each can run in one
 * JVM against a real server (PostgreSQL, Redis).
 *
 * <pre>{@code
 * RecordingClusterContext b = new RecordingClusterContext("b", Config.of(Map.of("url", url)));
 * ClusterSignals engine = provider.create(b);
 * ...
 * assertThat(b.next()).isEqualTo(sent);
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public class RecordingClusterContext implements ClusterContext {

    /** Messages from other nodes, in arrival order. */
    public final BlockingQueue<ClusterMessage> messages = new LinkedBlockingQueue<>();
    /** The reasons of the resyncs asked for, in order. */
    public final BlockingQueue<String> resyncs = new LinkedBlockingQueue<>();
    private final String nodeId;
    private final Config config;
    private final Metrics metrics = new RecordingMetrics();

    /** A host named {@code nodeId} whose engine configuration is {@code config}. */
    public RecordingClusterContext(String nodeId, Config config) {
        this.nodeId = nodeId;
        this.config = config;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Config config() {
        return config;
    }

    /** Records a message of another node; this node's own are ignored, as the real host does. */
    @Override
    public void received(ClusterMessage message) {
        if (!message.origin().equals(nodeId)) {
            messages.add(message);
        }
    }

    @Override
    public void resync(String reason) {
        resyncs.add(reason);
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    /**
     * The next message of another node, waiting up to 10 s.
     *
     * @throws AssertionError when none arrives in time
     */
    public ClusterMessage next() throws InterruptedException {
        ClusterMessage m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 10 s");
        }
        return m;
    }
}
