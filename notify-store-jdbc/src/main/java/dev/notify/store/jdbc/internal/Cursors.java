package dev.notify.store.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque keyset cursors: the sort key of the last item of a page, base64url-encoded with a kind
 * tag so that a cursor of one listing is refused by another.
 */
public final class Cursors {

    private Cursors() {
    }

    public static String encode(String kind, long a, long b) {
        String raw = kind + ":" + a + ":" + b;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The two keys of a cursor of this kind. */
    public static long[] decode(String kind, String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split(":", -1);
            if (parts.length == 3 && parts[0].equals(kind)) {
                return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below; NumberFormatException is an IllegalArgumentException
        }
        throw new IllegalArgumentException("invalid cursor '" + (cursor.length() > 40 ? cursor.substring(0, 40) + "..." : cursor)
                + "': pass the nextCursor of the previous page unchanged");
    }
}
