/**
 * The cross-node latency benchmark: one or three notify-server.jar processes on a throw-away PostgreSQL.
 * It starts the server jar and talks HTTP and SSE to it; figures in docs/benchmarks.md.
 */
package dev.notify.bench.cluster;
