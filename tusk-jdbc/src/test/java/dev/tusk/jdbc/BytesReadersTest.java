package dev.tusk.jdbc;

import dev.tusk.jdbc.internal.JdbcResultSet;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
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
 * The getters that read a value straight from its bytes (integers, booleans, text, binary numeric and timestamptz)
 * answer exactly as their general path, through Tusk's row getters and loaders: the same value, the same wasNull,
 * the same exception (class, SQLState and message), for edge values of every type they read and for the types
 * they do not, in text and binary results (plain statements, the automatic format of prepared ones,
 * binaryTransfer=true), live and in memory (scrollable), in several session time zones.
 */
@TuskTest
@Timeout(120)
class BytesReadersTest {
    private static final String COLUMNS = "k int, i2 int2, i4 int4, i8 int8, o oid, t text, vc varchar(20), b bool,"
            + " n numeric, n2 numeric(12,2), tz timestamptz, ts timestamp, f8 float8, js jsonb";
    private static final String[] ROWS = {
        "1, -32768, -2147483648, -9223372036854775808, 4294967295, 'héllo wörld ✓ 😀', '', true, 0.00000001,"
                + " 1.25, '2024-06-01 10:00:00.123456+00', '2024-02-29 12:00:00.5', 1.5, '{\"a\": 1}'",
        "2, 32767, 2147483647, 9223372036854775807, 0, '', 'x', false, -123456789012345678901234567890.123,"
                + " -0.01, '1900-01-01 00:00:00.5+00', '1900-01-01 00:00:00', -0.0, '[]'",
        "3, 0, 0, 0, 1, '42', '-7', NULL, 'NaN', 0.00, 'infinity', 'infinity', 'NaN', NULL",
        "4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Infinity', NULL, '-infinity', '-infinity', 'Infinity', 'null'",
        "5, 127, 128, 2147483648, 2147483648, 't', '1', true, '-Infinity', 9999999999.99,"
                + " '1969-12-31 23:59:59.999999+00', '1969-12-31 23:59:59.999999', 1e300, '1'",
        "6, -129, -32769, -2147483649, 7, 'true', 'no', false, 1e100, 123.4, '0001-01-01 00:00:00+00 BC',"
                + " '0044-03-15 00:00:00 BC', -1e-300, '\"s\"'",
        "7, 1, 1, 1, 1, '9223372036854775807', '99999999999999999999', true, 100.000, 1, '294276-12-31 23:59:59.999999+00',"
                + " '294276-12-31 23:59:59.999999', 0, 'true'",
        "8, -1, -1, -1, 1, ' 12 ', '+5', false, -0.5, -999.99, '2000-01-01 00:00:00+00', '2000-01-01 00:00:00', 2.5, 'false'",
    };

    @AfterEach
    void readBytesAgain() {
        JdbcResultSet.readBytes(true);
    }

    private static String attempt(Callable<Object> getter, ResultSet rs) {
        try {
            Object v = getter.call();
            return String.valueOf(v) + (v == null ? "" : " (" + v.getClass().getSimpleName() + ")") + " null " + rs.wasNull();
        } catch (SQLException e) {
            return "error " + e.getClass().getSimpleName() + " " + e.getSQLState() + " " + e.getMessage();
        } catch (Exception e) {
            return "error " + e.getClass().getSimpleName() + " " + e.getMessage();
        }
    }

    /** Every getter's answer for every value of every row of {@code rs}. */
    private static List<String> read(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            for (int i = 1; i <= n; i++) {
                int c = i;
                String at = "row " + rs.getRow() + " column " + rs.getMetaData().getColumnName(c) + ": ";
                out.add(at + "byte " + attempt(() -> rs.getByte(c), rs));
                out.add(at + "short " + attempt(() -> rs.getShort(c), rs));
                out.add(at + "int " + attempt(() -> rs.getInt(c), rs));
                out.add(at + "long " + attempt(() -> rs.getLong(c), rs));
                out.add(at + "string " + attempt(() -> rs.getString(c), rs));
                out.add(at + "boolean " + attempt(() -> rs.getBoolean(c), rs));
                out.add(at + "decimal " + attempt(() -> rs.getBigDecimal(c), rs));
                out.add(at + "double " + attempt(() -> rs.getDouble(c), rs));
                out.add(at + "timestamp " + attempt(() -> rs.getTimestamp(c), rs));
                out.add(at + "timestamp utc " + attempt(() -> rs.getTimestamp(c,
                        java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"))), rs));
                out.add(at + "object " + attempt(() -> rs.getObject(c), rs));
                out.add(at + "integer " + attempt(() -> rs.getObject(c, Integer.class), rs));
                out.add(at + "odt " + attempt(() -> rs.getObject(c, java.time.OffsetDateTime.class), rs));
            }
        }
        return out;
    }

    /** The answers of every getter for {@code sql}, read from the values' bytes and through the general path. */
    private static void assertBothPathsAgree(Connection c, String sql, String what) throws Exception {
        List<List<String>> answers = new ArrayList<>();
        for (boolean bytes : new boolean[] {true, false}) {
            JdbcResultSet.readBytes(bytes);
            List<String> all = new ArrayList<>();
            for (int type : new int[] {ResultSet.TYPE_FORWARD_ONLY, ResultSet.TYPE_SCROLL_INSENSITIVE}) {
                try (PreparedStatement ps = c.prepareStatement(sql + " WHERE k > ? ORDER BY k", type, ResultSet.CONCUR_READ_ONLY)) {
                    for (int run = 0; run < 7; run++) { // the automatic format takes binary once the statement is prepared
                        ps.setInt(1, 0);
                        try (ResultSet rs = ps.executeQuery()) {
                            List<String> got = read(rs);
                            if (run == 0 || run == 6) {
                                all.addAll(got);
                            }
                        }
                    }
                }
                try (Statement st = c.createStatement(type, ResultSet.CONCUR_READ_ONLY);
                     ResultSet rs = st.executeQuery(sql + " ORDER BY k")) { // the simple protocol: text
                    all.addAll(read(rs));
                }
            }
            answers.add(all);
        }
        assertThat(answers.get(0)).as(what + ": some answers read").hasSize(2 * 3 * 8 * 14 * 13);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < answers.get(0).size(); i++) {
            if (!answers.get(0).get(i).equals(answers.get(1).get(i))) {
                differences.add("bytes:   " + answers.get(0).get(i) + "\ngeneral: " + answers.get(1).get(i));
            }
        }
        assertThat(differences).as(what).isEmpty();
    }

    @Test
    void gettersReadingBytesAnswerAsTheGeneralPathForEdgeValuesInEveryFormat(TestDatabase db) throws Exception {
        try (Connection auto = DriverManager.getConnection(Jdbc.url(db));
             Connection binary = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=true");
             Connection text = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=false");
             Statement st = auto.createStatement()) {
            st.execute("CREATE TABLE edge (" + COLUMNS + ")");
            for (String row : ROWS) {
                st.execute("INSERT INTO edge VALUES (" + row + ")");
            }
            String sql = "SELECT k, i2, i4, i8, o, t, vc, b, n, n2, tz, ts, f8, js FROM edge";
            for (String zone : new String[] {"UTC", "Asia/Kolkata", "America/St_Johns"}) {
                for (Connection c : List.of(auto, binary, text)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET TimeZone = '" + zone + "'");
                    }
                }
                assertBothPathsAgree(auto, sql, "automatic format in " + zone);
                assertBothPathsAgree(binary, sql, "binaryTransfer=true in " + zone);
                assertBothPathsAgree(text, sql, "binaryTransfer=false in " + zone);
            }
        }
    }

    @Test
    void aLoaderTheApplicationRegisteredForNumericIsStillTheOneThatReadsIt(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=true");
             PreparedStatement ps = c.prepareStatement("SELECT ?::numeric")) {
            dev.tusk.Connection<?> tusk = c.unwrap(dev.tusk.Connection.class);
            tusk.adapters().registerLoader("numeric", new dev.tusk.adapt.Loader<java.math.BigDecimal>() {
                @Override
                public java.math.BigDecimal load(java.nio.ByteBuffer data) {
                    return java.math.BigDecimal.valueOf(42);
                }

                @Override
                public dev.tusk.adapt.Format format() {
                    return dev.tusk.adapt.Format.BINARY;
                }
            });
            boolean sawBinary = false;
            for (int run = 0; run < 7; run++) {
                ps.setBigDecimal(1, new java.math.BigDecimal("1.5"));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.unwrap(JdbcResultSet.class).binary(1)) {
                        sawBinary = true;
                        assertThat(rs.getBigDecimal(1)).as("run " + run).isEqualByComparingTo("42");
                    } else {
                        assertThat(rs.getBigDecimal(1)).as("run " + run).isEqualByComparingTo("1.5");
                    }
                }
            }
            assertThat(sawBinary).as("binary results once prepared").isTrue();
        }
    }
}
