package dev.notify.web;

import java.io.IOException;
import java.io.InputStream;

/**
 * What to do with the rest of a request body that is refused as too large: read and discard it (up
 * to {@link #DRAIN_LIMIT}) before the 413 goes out. A client still uploading when the server answers
 * and closes the connection otherwise reads a reset instead of the 413 it should get (seen as a
 * flaky test: "header parser received no bytes"). Larger bodies are cut off with the connection.
 */
public final class RefusedBodies {

    /** Most bytes of a refused body read and discarded. */
    public static final long DRAIN_LIMIT = 8L << 20;

    private RefusedBodies() {
    }

    /**
     * Reads and discards the rest of {@code in}, up to {@link #DRAIN_LIMIT} bytes; nothing when the
     * body's declared length ({@code declared}, its {@code Content-Length}) is over that. A client
     * that gives up meanwhile is ignored.
     */
    public static void drain(InputStream in, long declared) {
        if (declared > DRAIN_LIMIT) {
            return;
        }
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            int n;
            while (total < DRAIN_LIMIT && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException e) {
            // the client gave up; the 413 goes out anyway
        }
    }
}
