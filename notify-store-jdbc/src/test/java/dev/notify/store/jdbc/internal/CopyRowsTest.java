package dev.notify.store.jdbc.internal;

import dev.notify.testkit.PostgresServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever text and numbers go through a real PostgreSQL {@code COPY}, the same come back, each in its column and row. */
class CopyRowsTest {

    private static Connection db;

    @BeforeContainer
    static void connect() throws SQLException {
        db = DriverManager.getConnection(PostgresServer.shared().createDatabase(), "postgres", "");
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE copied (ord INT NOT NULL, a VARCHAR, b BIGINT, c BOOLEAN NOT NULL, d VARCHAR)");
        }
    }

    @AfterContainer
    static void close() throws SQLException {
        db.close();
    }

    /** Any text PostgreSQL stores (every char but NUL), biased towards what the text format escapes. */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> awkward = Arbitraries.of("\\", "\t", "\n", "\r", "\\N", "\\t", "\\\\", "\r\n", "\"", "\u0001", "✓", "🚀")
                .list().ofMaxSize(8).map(l -> String.join("", l));
        Arbitrary<String> any = Arbitraries.strings().all().excludeChars('\u0000').ofMaxLength(40)
                .filter(s -> s.codePoints().allMatch(Character::isValidCodePoint) && !hasLoneSurrogate(s));
        return Arbitraries.oneOf(awkward, any);
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(ch)) {
                return true;
            }
        }
        return false;
    }

    record Row(Optional<String> a, Optional<Long> b, boolean c, String d) {
    }

    @Provide
    Arbitrary<List<Row>> rows() {
        return net.jqwik.api.Combinators.combine(texts().optional(), Arbitraries.longs().optional(), Arbitraries.of(true, false), texts())
                .as(Row::new).list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 200)
    void rowsComeBackAsWritten(@ForAll("rows") List<Row> rows) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("TRUNCATE copied");
        }
        CopyRows copy = new CopyRows();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            copy.number(i).text(r.a()).number(r.b()).bool(r.c()).text(r.d()).endRow();
        }

        assertThat(copy.into(db, "copied", "ord, a, b, c, d")).isEqualTo(rows.size());

        List<Row> back = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT a, b, c, d FROM copied ORDER BY ord"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String a = rs.getString(1);
                long b = rs.getLong(2);
                Optional<Long> bv = rs.wasNull() ? Optional.empty() : Optional.of(b);
                back.add(new Row(Optional.ofNullable(a), bv, rs.getBoolean(3), rs.getString(4)));
            }
        }
        assertThat(back).isEqualTo(rows);
    }
}
