/** Benchmarks of Notify; run on the classpath, see docs/benchmarks.md. */
module dev.notify.bench {
    requires dev.notify.core;
    // the rate limiter the server puts in front of publishing
    requires dev.notify.web;
    // process CPU time, so figures on a shared machine can be read as CPU cost per notification
    requires jdk.management;
    requires dev.notify.store.jdbc;
    // the PostgreSQL harness of the test kit starts the store benchmark's throw-away server
    requires dev.notify.testkit;
    // the WebSocket benchmark's client (dev.notify.bench.ws)
    requires java.net.http;
    // the webhook benchmark's receiver (dev.notify.bench.webhook)
    requires jdk.httpserver;
}
