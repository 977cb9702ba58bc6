/**
 * The engine's in-memory throughput and enqueue-latency benchmark (CoreBenchmark).
 * It may call notify-core and notify-api; figures in docs/benchmarks.md.
 */
package dev.notify.bench.core;
