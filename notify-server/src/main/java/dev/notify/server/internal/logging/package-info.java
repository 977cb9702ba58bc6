/**
 * A small SLF4J backend writing one JSON object per line (--log-format json), with the request id from the MDC.
 * It may call SLF4J's API and the JDK only; Main picks it before anything logs.
 */
package dev.notify.server.internal.logging;
