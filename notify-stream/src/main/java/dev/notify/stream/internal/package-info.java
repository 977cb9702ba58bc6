/**
 * How {@link dev.notify.stream.LiveFanOut} spreads a large fan-out's writes over threads (the writer pool and the two
 * batching strategies); not exported. Calls only {@code notify-api} and {@code dev.notify.stream}.
 */
package dev.notify.stream.internal;
