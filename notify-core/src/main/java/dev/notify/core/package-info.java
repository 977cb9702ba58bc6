/**
 * The Notify engine: {@link dev.notify.core.NotificationService} and its settings, the only types
 * users call, over package-private parts; it may call {@code notify-api}, the stores and the channels.
 *
 * <p>The parts, each in its own file, and the two ways data flows through them:
 * <pre>
 * publish -&gt; Publisher -&gt; store -&gt; PriorityDeliveryQueue -&gt; DeliveryTracker -&gt; push channel
 *                                                            \-&gt; DeliveryOutcomes (retry, dead letter)
 * store (event log) -&gt; StreamTailer -&gt; stream channel -&gt; LocalSubscriberHub -&gt; live subscribers
 * </pre>
 * <ul>
 *   <li>{@code Engine}: builds the parts below in dependency order, wires the cluster signals, starts them;</li>
 *   <li>{@code ChannelRegistry} / {@code ChannelSlot}: registered channels, their concurrency limits and meters;</li>
 *   <li>{@code Publisher}: validate, render the template, plan deliveries and audiences, store, dispatch;</li>
 *   <li>{@code DeliveryTracker}: workers, claims of due deliveries, leases and hand-back, the timeout
 *       watchdog, replay; {@code DeliveryOutcomes}: where a retry is scheduled (backoff with jitter from
 *       {@link dev.notify.core.RetryPolicy}, {@code Retry-After}), dead letters, deferrals, listeners;</li>
 *   <li>{@code StreamTailer}: tails the event log and fans out to stream channels in order, holds scheduled ones;</li>
 *   <li>{@code EngineChannelContext} / {@code OperationalEvents}: what a channel gets at run time;</li>
 *   <li>{@code Shutdown}: the order in which it all stops; {@code Pruner}: retention.</li>
 * </ul>
 * Parts get what they need through their constructors and never call the facade. They are
 * package-private here rather than public in a non-exported sub-package so that they are not API
 * on the classpath either, where JPMS exports do not apply.
 */
package dev.notify.core;
