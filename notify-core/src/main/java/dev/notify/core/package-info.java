/**
 * The Notify engine: {@link dev.notify.core.NotificationService} and its settings, the only types
 * users call, over package-private parts; it may call {@code notify-api}, the stores and the channels.
 *
 * <p>The parts, each in its own file, and the two ways data flows through them:
 * <pre>
 * publish -&gt; Publisher -&gt; store -&gt; PriorityDeliveryQueue -&gt; DeliveryTracker -&gt; InFlightAttempts -&gt; push channel
 *                                                                               \-&gt; DeliveryOutcomes (retry, dead letter)
 * store (event log) -&gt; StreamTailer -&gt; stream channel -&gt; LocalSubscriberHub -&gt; live subscribers
 * </pre>
 * <ul>
 *   <li>{@code Engine}: builds the parts below in dependency order, wires the cluster signals, starts them;</li>
 *   <li>{@code ChannelRegistry} / {@code ChannelSlot}: registered channels, their concurrency limits, a blocking
 *       channel's own threads and stuck threads, and meters;</li>
 *   <li>{@code Publisher}: validate, render the template, plan deliveries and audiences, store, dispatch;</li>
 *   <li>{@code DeliveryTracker}: the shared workers (claim, dispatch), claims of due deliveries, leases and
 *       hand-back, the deadline watchdog, replay; {@code InFlightAttempts} / {@code Attempt}: attempts in flight
 *       without a worker ({@code deliverAsync}, or a blocking {@code deliver} on the channel's own threads),
 *       deadlines, the node's in-flight limit, recording on the recorder threads; {@code DeliveryOutcomes}: where a retry is scheduled (backoff with jitter from
 *       {@link dev.notify.core.RetryPolicy}, {@code Retry-After}), dead letters, deferrals, listeners;</li>
 *   <li>{@code StreamTailer}: tails the event log and fans out to stream channels in order, holds scheduled ones;
 *       {@code HeldLiveEvents}: appends the live events quiet hours held when they end;</li>
 *   <li>{@code EngineChannelContext} / {@code OperationalEvents}: what a channel gets at run time;</li>
 *   <li>{@code Shutdown}: the order in which it all stops; {@code Pruner}: retention.</li>
 * </ul>
 * Parts get what they need through their constructors and never call the facade. They are
 * package-private here rather than public in a non-exported sub-package so that they are not API
 * on the classpath either, where JPMS exports do not apply.
 */
package dev.notify.core;
