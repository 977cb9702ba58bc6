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
    // the webhook benchmark's receiver (dev.notify.bench.webhook) and the soak's healthy endpoints
    requires jdk.httpserver;
    // the soak attaches to the server process to start its JMX agent (dev.notify.bench.soak.ServerJvm)
    requires jdk.attach;
    // the RMI connector that agent speaks, through which the soak reads the server's heap after a GC
    requires java.management.rmi;
    // the bare Jetty SSE broadcaster of the peers benchmark (dev.notify.bench.peers)
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.ee10.servlet;
    requires jakarta.servlet;
    // the ingestion benchmark's Redis client (dev.notify.bench.cluster.IngestBenchmark); java.sql counts what was stored
    requires lettuce.core;
    requires java.sql;
}
