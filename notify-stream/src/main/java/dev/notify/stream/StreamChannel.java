package dev.notify.stream;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;
import dev.notify.api.EventLogEntry;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

/**
 * The skeleton of a stream channel: named as its context says, of kind
 * {@link ChannelKind#STREAM}, delivering through a {@link LiveFanOut} to its live connections,
 * and closed once. A subclass says how an entry is encoded and how its connections are told
 * goodbye; its connections reach the fan-out through {@link #fanOut()}.
 *
 * <pre>{@code
 * final class MyChannel extends StreamChannel<MyConnection, byte[]> {
 *     MyChannel(ChannelContext context) {
 *         super(context, "my", LiveFanOut.Batching.AFTER_FAN_OUT);
 *     }
 *     protected byte[] encode(EventLogEntry e) { ... }
 *     protected void shutdown() { fanOut().connections().forEach(c -> c.close("server shutting down")); }
 * }
 * }</pre>
 *
 * @param <C> the channel's connection type
 * @param <F> the frame type
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public abstract class StreamChannel<C extends StreamConnection, F> implements Channel {

    private final ChannelContext context;
    private final LiveFanOut<C, F> fanOut;
    private final java.util.concurrent.ScheduledFuture<?> expirySweep;
    private volatile boolean closed;

    /**
     * A channel on this context.
     *
     * @param clientNoun how log lines name a client ({@code "SSE"} gives "SSE client sse-...")
     * @param batching how large fan-outs spread their writes over threads
     */
    protected StreamChannel(ChannelContext context, String clientNoun, LiveFanOut.Batching batching) {
        this.context = context;
        this.fanOut = new LiveFanOut<>(context, clientNoun, batching, this::encode);
        this.expirySweep = context.scheduler().scheduleWithFixedDelay(this::endExpiredCredentials, 1, 1,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Ends the connections whose credential has expired (see {@link StreamConnection#endWhenCredentialExpires}). */
    private void endExpiredCredentials() {
        long now = context.clock().millis();
        fanOut.forEachConnection("ending on credential expiry", c -> {
            if (c.credentialExpiredAt(now)) {
                c.credentialExpired();
            }
        });
    }

    /** The frame every connection sends for this entry; may throw (the entry is then skipped and logged). */
    protected abstract F encode(EventLogEntry entry);

    /** Stops the channel's own timers and ends or says goodbye to every connection; runs once, before the writer threads stop. */
    protected abstract void shutdown();

    /** The context the channel was created with. */
    public final ChannelContext context() {
        return context;
    }

    /** The channel's live connections and their fan-out. */
    public final LiveFanOut<C, F> fanOut() {
        return fanOut;
    }

    /** The name the channel was created for ({@link ChannelContext#channelName()}). */
    @Override
    public final String name() {
        return context.channelName();
    }

    @Override
    public final ChannelKind kind() {
        return ChannelKind.STREAM;
    }

    /** Fans the delivery's entries out to the live connections ({@link LiveFanOut#deliver}). */
    @Override
    public final DeliveryResult deliver(Delivery delivery) {
        return fanOut.deliver(delivery);
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        expirySweep.cancel(false);
        shutdown();
        fanOut.close();
    }

    /** Whether the channel was closed. */
    public final boolean isClosed() {
        return closed;
    }

    /** The live connections of this channel. */
    public final int connectionCount() {
        return fanOut.connectionCount();
    }
}
