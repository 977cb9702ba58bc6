/**
 * The JDBC store benchmark: durable publishes (single, batched) and claim-and-complete on H2 and PostgreSQL.
 * It may call notify-store-jdbc, notify-testkit (the throw-away PostgreSQL) and notify-api; figures in docs/benchmarks-store.md.
 */
package dev.notify.bench.store;
