/**
 * The SSE benchmark: idle connections, broadcasts and publish-to-receive latency against a server process.
 * It starts notify-server.jar and talks HTTP to it; figures in docs/benchmarks-sse.md.
 */
package dev.notify.bench.sse;
