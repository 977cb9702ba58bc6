/** The JVM peer of the side-by-side benchmark (notify-bench/peers.sh): a bare Jetty SSE broadcaster. */
package dev.notify.bench.peers;
