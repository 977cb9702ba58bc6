package dev.notify.bench.soak;

import java.util.List;
import java.util.Locale;

/**
 * One row of the soak's CSV: the server process and the load as they stood at the end of one
 * sampling interval. Rates and percentiles cover the interval; the rest are readings at its end.
 *
 * @param seconds              seconds since the load started
 * @param heapMb               server heap used after a full GC, MiB
 * @param rssMb                server resident memory, MiB
 * @param fds                  server open file descriptors
 * @param threads              server threads
 * @param connections          live SSE + WebSocket connections the server counts
 * @param queueDepth           the server's delivery queue depth ({@code notify_queue_depth})
 * @param hookBacklog          webhook deliveries published to healthy endpoints and not received yet (by the ledger)
 * @param publishedPerS        publishes accepted (202) per second
 * @param receivedPerS         stream events received per second, all clients together (first copies)
 * @param p50Ms                publish-to-receive p50 of stream events, ms
 * @param p99Ms                publish-to-receive p99 of stream events, ms
 * @param webhookSentPerS      webhook deliveries the server counts as sent, per second
 * @param healthyHooksPerS     deliveries the healthy receivers got, per second
 * @param hookP99Ms            publish-to-receive p99 at the healthy receivers, ms
 * @param lateHooks            healthy deliveries later than the lateness bound in the interval
 * @param reconnects           client-chosen disconnects and resumes in the interval
 * @param drops                connections the server or network ended in the interval
 * @param hangingHeld          connections the hanging endpoints held open at the end
 */
record Sample(double seconds, double heapMb, double rssMb, long fds, long threads, long connections, long queueDepth, long hookBacklog,
              double publishedPerS, double receivedPerS, double p50Ms, double p99Ms, double webhookSentPerS,
              double healthyHooksPerS, double hookP99Ms, long lateHooks, long reconnects, long drops, long hangingHeld) {

    static final List<String> COLUMNS = List.of("seconds", "heap_after_gc_mb", "rss_mb", "open_fds", "threads", "connections",
            "queue_depth", "webhook_backlog", "published_per_s", "received_per_s", "p50_ms", "p99_ms", "webhook_sent_per_s", "healthy_webhooks_per_s",
            "webhook_p99_ms", "late_webhooks", "reconnects", "drops", "hanging_held");

    String csv() {
        return String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%d,%d,%d,%d,%d,%.1f,%.1f,%.2f,%.2f,%.1f,%.1f,%.2f,%d,%d,%d,%d", seconds, heapMb, rssMb,
                fds, threads, connections, queueDepth, hookBacklog, publishedPerS, receivedPerS, p50Ms, p99Ms, webhookSentPerS, healthyHooksPerS,
                hookP99Ms, lateHooks, reconnects, drops, hangingHeld);
    }
}
