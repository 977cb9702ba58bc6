package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.DeliveryResult;

import java.util.concurrent.CompletionStage;

/**
 * A push channel that reports each attempt's result asynchronously, so an attempt in flight
 * holds no engine thread: the worker that claimed the delivery calls {@link #deliverAsync},
 * takes its next job, and the outcome is recorded when the returned stage completes.
 *
 * <p>Choose this form when the channel talks to something over non-blocking I/O (an HTTP
 * client with callbacks, a message broker's async producer): a receiver that hangs then costs
 * the node a pending request, not a thread. Simple plugins implement only {@link Channel#deliver}:
 * the engine then runs their attempts on the channel's own bounded threads, so a blocking or
 * hanging plugin delays only its own deliveries. Do not wrap a blocking call in
 * {@code CompletableFuture.supplyAsync} to look asynchronous: that moves the blocking onto a pool
 * the engine neither bounds nor can interrupt; stay a blocking {@code Channel} instead.
 *
 * <p>The contract, which the test kit's {@code ChannelContract} checks ({@code isAsyncChannel()}):
 * <ul>
 *   <li>{@code deliverAsync} returns quickly (it runs on a shared worker: start the I/O, do not
 *       wait for it) and does not throw; an exception it throws counts as a retry.</li>
 *   <li>The stage completes, normally with a {@link DeliveryResult}: sent, retry later (with a
 *       {@code Retry-After} if the receiver gave one), deferred, or failed for good. A stage
 *       completed exceptionally counts as {@link DeliveryResult#retryLater(String)} with the
 *       exception as the reason.</li>
 *   <li>A stage that has not completed when the engine's attempt deadline passes (the delivery
 *       timeout, 30 s by default) is recorded as a timed-out attempt, retried per policy, and
 *       cancelled ({@code toCompletableFuture().cancel(true)}): abort the request when that
 *       happens. Whatever the stage completes with afterwards is ignored.</li>
 *   <li>Many attempts are in flight at once, up to {@code channels.<name>.max-concurrency}
 *       (default: the node's {@code delivery.max-in-flight}, 1000): limit per receiver yourself
 *       if a receiver needs it (answer {@link DeliveryResult#deferred(String, java.time.Duration)} when one is saturated).</li>
 *   <li>The stage may complete on any thread, an I/O thread included: the engine records the
 *       outcome on its own threads, never blocking the completing one.</li>
 * </ul>
 *
 * <pre>{@code
 * public CompletionStage<DeliveryResult> deliverAsync(Delivery d) {
 *     return client.send(requestFor(d))                       // non-blocking; completes on an I/O thread
 *             .thenApply(r -> r.status() / 100 == 2 ? DeliveryResult.sent()
 *                     : DeliveryResult.retryLater("HTTP " + r.status()))
 *             .exceptionally(e -> DeliveryResult.retryLater(e.toString()));
 * }
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public interface AsyncChannel extends Channel {

    /**
     * Starts one attempt at one delivery.
     *
     * @return a stage completed with sent, retry later, deferred or failed for good
     */
    CompletionStage<DeliveryResult> deliverAsync(Delivery delivery);

    /**
     * Makes one attempt and waits for its result; for callers outside the engine, such as tests.
     * The engine never calls this on an {@code AsyncChannel}.
     */
    @Override
    default DeliveryResult deliver(Delivery delivery) {
        return deliverAsync(delivery).toCompletableFuture().join();
    }
}
