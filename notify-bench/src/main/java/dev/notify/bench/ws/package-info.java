/**
 * The WebSocket benchmark and its raw NIO client: broadcasts to thousands of connections of a server process.
 * It starts notify-server.jar and talks WebSocket to it; figures in docs/benchmarks-ws.md.
 */
package dev.notify.bench.ws;
