/**
 * The webhook benchmark: signed deliveries per second to a local receiver through the engine and a durable store.
 * It may call notify-core, notify-store-jdbc and notify-channel-webhook; figures in docs/benchmarks-webhook.md.
 */
package dev.notify.bench.webhook;
