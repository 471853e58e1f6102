package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tusk-jdbc on Tusk's automatic result format (binaryTransfer unset): a statement prepared after the threshold
 * reads every value exactly as with text results (binaryTransfer=false), through every ResultSet getter.
 */
@TuskTest
@Timeout(60)
class AutomaticResultFormatJdbcTest {
    private static final String QUERY = "SELECT ?::int4 AS i, 9223372036854775807::int8 AS l, (-32768)::int2 AS s, true AS b,"
            + " 123.4500::numeric AS n, 'NaN'::numeric AS nan, 'naïve ☃'::text AS t, 'ab'::char(4) AS c,"
            + " '0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f'::uuid AS u, '2024-02-29'::date AS d, '0044-03-15 BC'::date AS bc,"
            + " '23:59:58.123456'::time AS tm, '24:00:00'::time AS midnight, '10:15:00-03:30'::timetz AS ttz,"
            + " '1999-12-31 23:59:59.999999'::timestamp AS ts, '2030-06-15 08:30:00.5+05'::timestamptz AS tstz,"
            + " 1.5::float8 AS f, NULL::int4 AS z";

    /** Every getter's answer for every column of the statement's sixth execution (prepared, described before). */
    private static List<String> answers(String url) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(QUERY)) {
            for (int k = 0; k < 7; k++) {
                ps.setInt(1, 1234567890 + k);
                try (ResultSet rs = ps.executeQuery()) {
                    if (k < 6) {
                        continue;
                    }
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(rs.next()).isTrue();
                    out.add("int4 received in format " + wireFormat(rs, 0) + ", float8 in " + wireFormat(rs, 16));
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        int col = i;
                        out.add(md.getColumnName(i) + " " + md.getColumnTypeName(i) + " " + md.getColumnClassName(i)
                                + " " + md.getPrecision(i) + " " + md.getScale(i));
                        out.add("getObject " + answer(() -> rs.getObject(col)));
                        out.add("getString " + answer(() -> rs.getString(col)));
                        out.add("getLong " + answer(() -> rs.getLong(col)) + " " + answer(rs::wasNull));
                        out.add("getInt " + answer(() -> rs.getInt(col)));
                        out.add("getDouble " + answer(() -> rs.getDouble(col)));
                        out.add("getBoolean " + answer(() -> rs.getBoolean(col)));
                        out.add("getBigDecimal " + answer(() -> rs.getBigDecimal(col)));
                        out.add("getBytes " + answer(() -> rs.getBytes(col)));
                        out.add("getDate " + answer(() -> rs.getDate(col)));
                        out.add("getTime " + answer(() -> rs.getTime(col)));
                        out.add("getTimestamp " + answer(() -> rs.getTimestamp(col)));
                        out.add("getObject(LocalDateTime) " + answer(() -> rs.getObject(col, java.time.LocalDateTime.class)));
                        out.add("getObject(OffsetDateTime) " + answer(() -> rs.getObject(col, java.time.OffsetDateTime.class)));
                        out.add("getObject(String) " + answer(() -> rs.getObject(col, String.class)));
                    }
                }
            }
        }
        return out;
    }

    /** The format the column's values came in (JDBC does not say: the driver's result set does). */
    private static int wireFormat(ResultSet rs, int column) throws Exception {
        return rs.unwrap(dev.tusk.jdbc.internal.JdbcResultSet.class).binary(column + 1) ? 1 : 0;
    }

    private static String answer(Callable<Object> getter) {
        try {
            Object v = getter.call();
            return v == null ? "null" : v.getClass().getName() + " "
                    + (v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v));
        } catch (Exception e) {
            return "throws " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Test
    void everyGetterAnswersAsWithTextResults(TestDatabase db) throws Exception {
        List<String> text = answers(Jdbc.url(db) + "&binaryTransfer=false");
        List<String> automatic = answers(Jdbc.url(db));
        assertThat(text.get(0)).isEqualTo("int4 received in format 0, float8 in 0");
        assertThat(automatic.get(0)).as("binary where it reads the same").isEqualTo("int4 received in format 1, float8 in 0");
        assertThat(automatic).hasSameSizeAs(text);
        for (int i = 1; i < text.size(); i++) {
            assertThat(automatic.get(i)).as("answer %d", i).isEqualTo(text.get(i));
        }
    }

    /** getTimestamp (with and without a Calendar), getObject and wasNull for each value of {@code TIMESTAMPTZ_VALUES}. */
    private static List<String> timestamps(String url, int wantFormat) throws Exception {
        List<String> out = new ArrayList<>();
        java.util.Calendar tokyo = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("SELECT v FROM unnest(?::timestamptz[]) WITH ORDINALITY AS u(v, n) ORDER BY n")) {
            ps.setString(1, TIMESTAMPTZ_VALUES);
            for (int k = 0; k < 7; k++) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (k < 6) {
                        continue;
                    }
                    assertThat(wireFormat(rs, 0)).as("timestamptz received in format").isEqualTo(wantFormat);
                    while (rs.next()) {
                        String plain = answer(() -> rs.getTimestamp(1)); // infinity: pgjdbc's milliseconds, the same in both formats
                        java.sql.Timestamp t = plain.startsWith("throws") ? null : rs.getTimestamp(1);
                        out.add(plain + " " + (t == null ? "" : t.getTime() + " " + t.getNanos()) + " " + rs.wasNull()
                                + " | " + answer(() -> rs.getTimestamp(1, tokyo)) + " | " + answer(() -> rs.getObject(1)));
                    }
                }
            }
        }
        return out;
    }

    private static final String TIMESTAMPTZ_VALUES = "{\"2030-06-15 08:30:00.5+05\",\"1999-12-31 23:59:59.999999+00\","
            + "\"2000-01-01 00:00:00+00\",\"1969-12-31 23:59:59.000001+00\",\"1900-03-01 12:00:00.123456-07\","
            + "\"0044-03-15 10:00:00+00 BC\",\"294276-12-31 23:59:59.999999+00\",\"4713-01-01 00:00:00+00 BC\","
            + "NULL,infinity,-infinity}";

    @Test
    void aTimestamptzReceivedInBinaryReadsAsTheSameTimestampAsInText(TestDatabase db) throws Exception {
        List<String> text = timestamps(Jdbc.url(db) + "&binaryTransfer=false", 0);
        assertThat(text).hasSize(11);
        assertThat(text.get(0)).startsWith("java.sql.Timestamp ");
        assertThat(text.get(8)).startsWith("null  true");
        assertThat(timestamps(Jdbc.url(db), 1)).as("automatic format").isEqualTo(text);
        assertThat(timestamps(Jdbc.url(db) + "&binaryTransfer=true", 1)).as("binaryTransfer=true").isEqualTo(text);
    }
}
