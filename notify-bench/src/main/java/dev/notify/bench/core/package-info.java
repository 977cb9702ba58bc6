/**
 * The engine's in-memory throughput and enqueue-latency benchmark (CoreBenchmark), and publish
 * throughput with preferences and rate limiting on vs off (PolicyBenchmark). They may call
 * notify-core, notify-api and notify-web's rate limiter; figures in docs/benchmarks.md.
 */
package dev.notify.bench.core;
