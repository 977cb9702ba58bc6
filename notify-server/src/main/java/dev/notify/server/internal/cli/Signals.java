package dev.notify.server.internal.cli;

import java.util.List;

/**
 * Turns SIGTERM and SIGINT (Ctrl-C) into a graceful shutdown followed by exit status 0.
 *
 * <p>Stopping a server with SIGTERM is its normal end, not a failure, yet a JVM that only has a
 * shutdown hook exits with 143 (128 + 15) after it: supervisors (systemd, Kubernetes, scripts
 * checking {@code $?}) would report every clean stop as a crash. {@code sun.misc.Signal} of
 * {@code jdk.unsupported} is the one supported way to handle a signal in Java 17.
 */
final class Signals {

    private Signals() {
    }

    /** On SIGTERM or SIGINT: runs {@code shutdown} on its own thread, then exits 0 (1 if it failed). */
    static void exitGracefullyOn(Runnable shutdown) {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    // the handler thread must return promptly; a second signal finds close() already running and waits for it
                    Thread t = new Thread(() -> {
                        int status = 0;
                        try {
                            shutdown.run();
                        } catch (RuntimeException | Error e) {
                            System.err.println("notify-server: the shutdown failed: " + e);
                            status = 1;
                        }
                        System.exit(status);
                    }, "notify-sig" + name.toLowerCase(java.util.Locale.ROOT));
                    t.start();
                });
            } catch (IllegalArgumentException e) {
                // not on this platform, or the JVM runs with -Xrs: the shutdown hook still closes the server
            }
        }
    }
}
