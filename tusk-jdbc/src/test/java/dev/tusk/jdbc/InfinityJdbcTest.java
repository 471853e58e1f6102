package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PostgreSQL's 'infinity' and '-infinity' dates and timestamps read and written through JDBC as pgjdbc does (java.time's
 * MAX/MIN, java.sql.Date/Timestamp with pgjdbc's PGStatement milliseconds), in text, automatic and binary results;
 * no other value stands for them.
 */
@TuskTest
@Timeout(60)
class InfinityJdbcTest {
    private static final long POSITIVE = 9223372036825200000L; // pgjdbc's PGStatement.DATE_POSITIVE_INFINITY
    private static final long NEGATIVE = -9223372036832400000L; // and DATE_NEGATIVE_INFINITY

    private static final String QUERY = "SELECT 'infinity'::date, '-infinity'::date, 'infinity'::timestamp,"
            + " '-infinity'::timestamp, 'infinity'::timestamptz, '-infinity'::timestamptz, ?::int4";

    /** Every getter's answer for the six infinities, on the statement's seventh run (prepared, described). */
    private static List<String> answers(String url) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(QUERY)) {
            for (int k = 0; k < 7; k++) {
                ps.setInt(1, k);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    if (k < 6) {
                        continue;
                    }
                    for (int i = 1; i <= 6; i++) {
                        int col = i;
                        out.add(i + " getString " + answer(() -> rs.getString(col)));
                        out.add(i + " getDate " + answer(() -> rs.getDate(col)));
                        out.add(i + " getTimestamp " + answer(() -> rs.getTimestamp(col)));
                        out.add(i + " getObject " + answer(() -> rs.getObject(col)));
                        out.add(i + " Date " + answer(() -> rs.getObject(col, java.sql.Date.class)));
                        out.add(i + " Timestamp " + answer(() -> rs.getObject(col, Timestamp.class)));
                        out.add(i + " LocalDate " + answer(() -> rs.getObject(col, LocalDate.class)));
                        out.add(i + " LocalDateTime " + answer(() -> rs.getObject(col, LocalDateTime.class)));
                        out.add(i + " OffsetDateTime " + answer(() -> rs.getObject(col, OffsetDateTime.class)));
                    }
                }
            }
        }
        return out;
    }

    private static String answer(Callable<Object> getter) {
        try {
            Object v = getter.call();
            if (v instanceof Date d) { // java.sql.Date and Timestamp: the milliseconds pgjdbc puts in them
                return v.getClass().getSimpleName() + " " + d.getTime();
            }
            return v == null ? "null" : v.getClass().getSimpleName() + " " + v;
        } catch (SQLException e) {
            return "SQLException";
        } catch (Exception e) {
            return "threw " + e;
        }
    }

    @Test
    void everyGetterReadsTheInfinitiesAsPgjdbcDoesInEveryResultFormat(TestDatabase db) throws Exception {
        List<String> pgjdbc = answers(Jdbc.pgjdbcUrl(db));
        assertThat(pgjdbc).as("pgjdbc's own answers, the reference").contains(
                "1 getDate Date " + POSITIVE, "4 getTimestamp Timestamp " + NEGATIVE,
                "1 LocalDate LocalDate " + LocalDate.MAX, "3 LocalDateTime LocalDateTime " + LocalDateTime.MAX,
                "6 OffsetDateTime OffsetDateTime " + OffsetDateTime.MIN);
        List<String> text = answers(Jdbc.url(db) + "&binaryTransfer=false");
        agree(text, pgjdbc);
        assertThat(answers(Jdbc.url(db))).as("automatic results").isEqualTo(text);
        assertThat(answers(Jdbc.url(db) + "&binaryTransfer=true")).as("binary results").isEqualTo(text);
    }

    /**
     * Where pgjdbc answers a value, tusk-jdbc answers the same; where pgjdbc refuses the conversion (its getObject is
     * stricter than tusk-jdbc's for finite values too, e.g. a date as a LocalDateTime), tusk-jdbc refuses it or
     * answers the requested type's own infinity, never another value.
     */
    private static void agree(List<String> tusk, List<String> pgjdbc) {
        assertThat(tusk).hasSameSizeAs(pgjdbc);
        List<String> differ = new ArrayList<>();
        for (int k = 0; k < pgjdbc.size(); k++) {
            String want = pgjdbc.get(k);
            String got = tusk.get(k);
            boolean ok = want.endsWith("SQLException")
                    ? got.endsWith("SQLException") || got.matches(".* (\\+999999999-12-31|-999999999-01-01|" + POSITIVE + "|"
                            + NEGATIVE + "|\\+1000000000-12-31T23:59:59.999999999Z|-1000000000-01-01T00:00:00Z).*")
                    : got.equals(want);
            if (!ok) {
                differ.add("tusk-jdbc '" + got + "', pgjdbc '" + want + "'");
            }
        }
        assertThat(differ).as("answers that differ from pgjdbc's").isEmpty();
    }

    @Test
    void theValuesStandingForInfinityAreWrittenAsInfinityAndReadBackTheSame(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE inf (k int, d date, ts timestamp, tz timestamptz)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO inf VALUES (?, ?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setObject(2, LocalDate.MAX);
                ps.setObject(3, LocalDateTime.MIN);
                ps.setObject(4, OffsetDateTime.MAX);
                ps.addBatch();
                ps.setInt(1, 2);
                ps.setDate(2, new java.sql.Date(NEGATIVE));
                ps.setTimestamp(3, new Timestamp(POSITIVE));
                ps.setTimestamp(4, new Timestamp(NEGATIVE));
                ps.addBatch();
                ps.setInt(1, 3);
                ps.setObject(2, new Timestamp(POSITIVE), Types.DATE);
                ps.setObject(3, new java.sql.Date(NEGATIVE), Types.TIMESTAMP);
                ps.setObject(4, LocalDateTime.MAX, Types.TIMESTAMP_WITH_TIMEZONE);
                ps.addBatch();
                ps.executeBatch();
            }
            List<String> text = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT k, d::text, ts::text, tz::text FROM inf ORDER BY k")) {
                while (rs.next()) {
                    text.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
                }
            }
            assertThat(text).containsExactly("1 infinity -infinity infinity", "2 -infinity infinity -infinity",
                    "3 infinity -infinity infinity");
            try (PreparedStatement ps = c.prepareStatement("SELECT d, ts, tz FROM inf WHERE k = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getObject(1, LocalDate.class)).isEqualTo(LocalDate.MAX);
                    assertThat(rs.getObject(2, LocalDateTime.class)).isEqualTo(LocalDateTime.MIN);
                    assertThat(rs.getObject(3, OffsetDateTime.class)).isEqualTo(OffsetDateTime.MAX);
                    assertThat(rs.getObject(3, Instant.class)).isEqualTo(Instant.MAX);
                }
                ps.setInt(1, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getDate(1).getTime()).isEqualTo(NEGATIVE);
                    assertThat(rs.getTimestamp(2).getTime()).isEqualTo(POSITIVE);
                    assertThat(rs.getTimestamp(3).getTime()).isEqualTo(NEGATIVE);
                    assertThatThrownBy(() -> rs.getTime(2)).as("a time of day cannot say infinity")
                            .isInstanceOf(SQLDataException.class).hasMessageContaining("'infinity'");
                }
            }
        }
    }

    @Test
    void noOtherValueStandsForInfinity(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            for (Object beyond : new Object[] {LocalDate.MAX.minusDays(1), LocalDateTime.MIN.plusNanos(1000),
                    new Timestamp(POSITIVE - 1000)}) {
                try (PreparedStatement ps = c.prepareStatement("SELECT ?::timestamptz::text")) {
                    ps.setObject(1, beyond);
                    assertThatThrownBy(() -> {
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }).as("%s is beyond PostgreSQL's range, not infinity", beyond).isInstanceOf(SQLException.class);
                }
            }
        }
    }
}
