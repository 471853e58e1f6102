package dev.tusk.jdbc;

import dev.tusk.jdbc.internal.JdbcResultSet;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A prepared statement's later executions take binary results when its columns allow (pgjdbc's default
 * binaryTransfer), and every getter answers exactly as with the text results of its first execution: the server's
 * text for getString (booleans t/f, numerics at their scale, BC dates, ±infinity, UTC offsets with minutes and
 * seconds), the same objects for getObject and the typed getters.
 */
@TuskTest
@Timeout(60)
class BinaryResultsTest {
    private static final String[] ROWS = {
        "1, -32768, -2147483648, -9223372036854775808, 4294967295, 'héllo', 'x', 'ab', 'nm', true, 0.00000001,"
                + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29', '2024-01-01 10:00:00.5', '2024-06-01 10:00:00.25+00'",
        "2, 32767, 2147483647, 9223372036854775807, 0, '', '', '', '', false, 1.50,"
                + " '00000000-0000-0000-0000-000000000000', '0044-03-15 BC', '2024-01-01 10:00:00.123456', '1900-01-01 00:00:00+00'",
        "3, 0, 0, 0, 1, 'a''b', 'long', 'abcde', 'n', NULL, -123456789012345678901234567890.123,"
                + " NULL, '10000-01-01', '0001-01-01 00:00:00 BC', '-infinity'",
        "4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', NULL, 'infinity', 'infinity', '1969-12-31 23:59:59.999999+00'",
        "5, 1, 1, 1, 1, 't', 'v', 'c', 'name', true, 'Infinity', NULL, '-infinity', '-infinity', '2024-03-31 01:30:00+00'",
        "6, 1, 1, 1, 1, 't', 'v', 'c', 'name', true, 100, NULL, '1999-12-31', '1999-12-31 23:59:59', '1883-11-18 12:00:00+00'",
        "7, 1, 1, 1, 1, 't', 'v', 'c', 'name', true, 1e20, NULL, '2000-01-01', '2000-01-01 00:00:00', 'infinity'",
        "8, 1, 1, 1, 1, 't', 'v', 'c', 'name', true, '-Infinity', NULL, NULL, NULL, NULL",
    };

    /** Each getter's answer for every value, or the class of the exception it threw. */
    private static List<String> read(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            for (int i = 1; i <= n; i++) {
                final int c = i;
                out.add(rs.getInt(1) + "/" + c + " string " + attempt(() -> rs.getString(c)) + " null " + rs.wasNull()
                        + " object " + attempt(() -> {
                            Object o = rs.getObject(c);
                            return o == null ? null : o.getClass().getSimpleName() + ":" + o;
                        })
                        + " long " + attempt(() -> rs.getLong(c)) + " boolean " + attempt(() -> rs.getBoolean(c))
                        + " decimal " + attempt(() -> rs.getBigDecimal(c)) + " date " + attempt(() -> rs.getDate(c))
                        + " timestamp " + attempt(() -> rs.getTimestamp(c))
                        + " odt " + attempt(() -> rs.getObject(c, java.time.OffsetDateTime.class))
                        + " ldt " + attempt(() -> rs.getObject(c, java.time.LocalDateTime.class)));
            }
        }
        return out;
    }

    private static String attempt(Callable<Object> getter) {
        try {
            return String.valueOf(getter.call());
        } catch (Exception e) {
            return "error " + e.getClass().getSimpleName();
        }
    }

    /** Every getter's answers for the rows of {@code sql} run {@code runs} times; checks the last run's format. */
    private static List<String> answers(Connection c, String sql, int runs, boolean binary) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            List<String> out = null;
            for (int run = 0; run < runs; run++) { // the automatic format takes binary once the statement is prepared
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    out = read(rs);
                    if (run == runs - 1) {
                        assertThat(rs.unwrap(JdbcResultSet.class).binary(1)).as("binary values").isEqualTo(binary);
                    }
                }
            }
            return out;
        }
    }

    private static List<String> differences(List<String> text, List<String> binary) {
        assertThat(binary).hasSameSizeAs(text);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            if (!text.get(i).equals(binary.get(i))) {
                differences.add("text:   " + text.get(i) + "\nbinary: " + binary.get(i));
            }
        }
        return differences;
    }

    @Test
    void binaryResultsAutomaticOrAskedForAnswerEveryGetterAsText(TestDatabase db) throws Exception {
        try (Connection text = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=false");
             Connection auto = DriverManager.getConnection(Jdbc.url(db));
             Connection binary = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=true");
             Statement st = text.createStatement()) {
            st.execute("CREATE TABLE v (k int, i2 int2, i4 int4, i8 int8, o oid, t text, vc varchar(10), bp char(5), nm name,"
                    + " b bool, n numeric, u uuid, d date, ts timestamp, tz timestamptz)");
            for (String row : ROWS) {
                st.execute("INSERT INTO v VALUES (" + row + ")");
            }
            String sql = "SELECT k, i2, i4, i8, t, vc, bp, nm, b, n, u, d, ts, tz FROM v WHERE k > ? ORDER BY k";
            for (String zone : new String[] {"UTC", "Europe/Amsterdam", "Asia/Kolkata", "America/St_Johns"}) {
                for (Connection c : List.of(text, auto, binary)) {
                    c.createStatement().execute("SET TimeZone = '" + zone + "'");
                }
                List<String> expected = answers(text, sql, 7, false);
                assertThat(expected).hasSize(8 * 14);
                assertThat(differences(expected, answers(auto, sql, 7, true))).as("automatic format in " + zone).isEmpty();
                assertThat(differences(expected, answers(binary, sql, 1, true))).as("binaryTransfer=true in " + zone).isEmpty();
            }
        }
    }

    @Test
    void columnsOfOtherTypesReadAsText(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             PreparedStatement ps = c.prepareStatement("SELECT ?::int4 AS i, 1.5::float8 AS f, '\\x01'::bytea AS b, 4294967295::oid AS o")) {
            for (int run = 0; run < 7; run++) {
                ps.setInt(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(2)).isEqualTo("1.5");
                    assertThat(rs.getString(3)).isEqualTo("\\x01");
                    assertThat(rs.getLong(4)).isEqualTo(4294967295L);
                }
            }
        }
    }

    @Test
    void binaryTransferFalseKeepsTextResults(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=false");
             PreparedStatement ps = c.prepareStatement("SELECT ?::int4 + 1")) {
            for (int run = 0; run < 7; run++) {
                ps.setInt(1, run);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.unwrap(JdbcResultSet.class).binary(1)).isFalse();
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(run + 1);
                }
            }
        }
    }
}
