/**
 * The soak: one {@code notify-server.jar} process under steady mixed load for minutes (SSE and
 * WebSocket streams that drop and resume, publishes to users and topics, healthy, failing and
 * hanging webhook endpoints), sampled every few seconds into CSV and SVG charts. See
 * {@link dev.notify.bench.soak.SoakBenchmark}.
 */
package dev.notify.bench.soak;
