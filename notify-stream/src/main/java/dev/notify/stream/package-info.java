/**
 * Building blocks of a stream channel: {@link dev.notify.stream.StreamChannel} over {@link dev.notify.stream.LiveFanOut},
 * {@link dev.notify.stream.StreamConnection}, {@link dev.notify.stream.FrameQueue} and {@link dev.notify.stream.ConnectionState}.
 * Calls only {@code notify-api} and this module's {@code internal} package.
 */
package dev.notify.stream;
