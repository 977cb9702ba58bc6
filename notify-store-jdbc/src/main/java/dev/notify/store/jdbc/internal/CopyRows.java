package dev.notify.store.jdbc.internal;

import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Rows written with PostgreSQL's {@code COPY ... FROM STDIN} in its text format, for the large
 * inserts of a batch publish. Measured while ingesting a Redis Stream in batches of 500: the
 * notifications' multi-row {@code INSERT} (19 parameters a row, bound one by one by the driver and
 * parsed and planned by the server per statement) was the largest item of the node's CPU (18% of
 * its samples) and of the batch's statements; a {@code COPY} sends the rows as one stream of text
 * that the server parses without a plan.
 *
 * <p>Values are escaped as the text format requires (backslash, newline, carriage return and tab
 * each become a backslash sequence), so no value can end its column or its row early; {@code null}
 * is {@code \N}. The caller's transaction holds the rows; a constraint violation fails the
 * {@code COPY} like the {@code INSERT} it replaces (same SQL state).
 */
final class CopyRows {

    private final StringBuilder text = new StringBuilder(1 << 14);
    private boolean rowStarted;

    CopyRows text(String value) {
        column();
        if (value == null) {
            text.append("\\N");
            return this;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> text.append(ch);
            }
        }
        return this;
    }

    CopyRows text(Optional<String> value) {
        return text(value.orElse(null));
    }

    CopyRows number(long value) {
        column();
        text.append(value);
        return this;
    }

    CopyRows number(Optional<Long> value) {
        if (value.isEmpty()) {
            return text((String) null);
        }
        return number(value.get());
    }

    CopyRows bool(boolean value) {
        column();
        text.append(value ? 't' : 'f');
        return this;
    }

    /** Ends the current row. */
    CopyRows endRow() {
        text.append('\n');
        rowStarted = false;
        return this;
    }

    /** Copies the rows into {@code table (columns)} on the caller's connection; the number of rows copied. */
    long into(Connection c, String table, String columns) throws SQLException {
        if (rowStarted) {
            throw new IllegalStateException("a row was not ended");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            return c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN", new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new SQLException("could not send the rows of " + table + ": " + e.getMessage(), "08006", e);
        }
    }

    private void column() {
        if (rowStarted) {
            text.append('\t');
        }
        rowStarted = true;
    }
}
