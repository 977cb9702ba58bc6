/** Benchmarks of Notify; run on the classpath, see docs/benchmarks.md. */
module dev.notify.bench {
    requires dev.notify.core;
    requires dev.notify.store.jdbc;
    // the WebSocket benchmark's client (dev.notify.bench.ws)
    requires java.net.http;
}
