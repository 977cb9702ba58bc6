package dev.notify.store.jdbc.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;

/** Small JDBC helpers: instants as epoch nanoseconds, nullable parameters. */
public final class Sql {

    /** The SQLState of a unique-key violation, on H2 and PostgreSQL alike. */
    public static final String UNIQUE_VIOLATION = "23505";

    private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L - 1;

    private Sql() {
    }

    /**
     * Nanoseconds since the epoch. Instants outside 1677..2262 are clamped: nothing Notify
     * schedules is that far away, and the ordering is kept.
     */
    public static long nanos(Instant t) {
        long s = t.getEpochSecond();
        if (s > MAX_SECONDS) {
            return Long.MAX_VALUE;
        }
        if (s < -MAX_SECONDS) {
            return Long.MIN_VALUE;
        }
        return s * 1_000_000_000L + t.getNano();
    }

    /** The instant of {@link #nanos(Instant)}. */
    public static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    public static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(instant(v));
    }

    public static void setInstant(PreparedStatement ps, int index, Optional<Instant> t) throws SQLException {
        if (t.isPresent()) {
            ps.setLong(index, nanos(t.get()));
        } else {
            ps.setNull(index, Types.BIGINT);
        }
    }

    public static void setString(PreparedStatement ps, int index, Optional<String> s) throws SQLException {
        if (s.isPresent()) {
            ps.setString(index, s.get());
        } else {
            ps.setNull(index, Types.VARCHAR);
        }
    }

    public static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException && UNIQUE_VIOLATION.equals(((SQLException) t).getSQLState())) {
                return true;
            }
            // a batch's failure may name only "batch entry aborted", its statement's error chained as the next exception
            if (t instanceof java.sql.BatchUpdateException b && b.getNextException() != null && b.getNextException() != b
                    && isUniqueViolation(b.getNextException())) {
                return true;
            }
        }
        return false;
    }

    /** {@code ?, ?, ?} with {@code n} placeholders. */
    public static String placeholders(int n) {
        StringBuilder sb = new StringBuilder(n * 3);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.toString();
    }

    /** {@code s} cut to at most {@code maxBytes} bytes of UTF-8, never inside a character. */
    public static String truncateUtf8(String s, int maxBytes) {
        if (s.length() * 3L <= maxBytes) {
            return s;
        }
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > maxBytes) {
                return s.substring(0, i);
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return s;
    }

    /** {@code s} cut to at most {@code max} characters, never inside a surrogate pair. */
    public static String truncate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }
}
