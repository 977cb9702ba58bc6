/** Benchmarks of Notify; run on the classpath, see docs/benchmarks.md. */
module dev.notify.bench {
    requires dev.notify.core;
    requires dev.notify.store.jdbc;
}
