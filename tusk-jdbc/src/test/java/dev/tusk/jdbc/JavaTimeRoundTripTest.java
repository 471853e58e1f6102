package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** JDBC 4.2's java.time mapping through a table, both ways, and the java.sql types beside it. */
@TuskTest
@Timeout(60)
class JavaTimeRoundTripTest {
    @Test
    void javaTimeValuesRoundTripThroughATable(TestDatabase db) throws SQLException {
        LocalDate date = LocalDate.of(2024, 2, 29);
        LocalTime time = LocalTime.of(23, 59, 58, 123_456_000);
        LocalDateTime ts = LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_000);
        OffsetDateTime tstz = OffsetDateTime.of(2030, 6, 15, 8, 30, 0, 500_000_000, ZoneOffset.ofHours(5));
        OffsetTime timetz = OffsetTime.of(10, 15, 0, 0, ZoneOffset.ofHoursMinutes(-3, -30));
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            c.createStatement().execute("CREATE TABLE jt (id int, d date, t time, ts timestamp, tstz timestamptz, ttz timetz)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jt VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setObject(2, date);
                ps.setObject(3, time);
                ps.setObject(4, ts);
                ps.setObject(5, tstz);
                ps.setObject(6, timetz);
                assertThat(ps.executeUpdate()).isEqualTo(1);
                ps.setInt(1, 2);
                ps.setObject(2, date, Types.DATE);
                ps.setObject(3, time, Types.TIME);
                ps.setObject(4, ts, Types.TIMESTAMP);
                ps.setObject(5, tstz, Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(6, timetz, Types.TIME_WITH_TIMEZONE);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT d, t, ts, tstz, ttz FROM jt ORDER BY id")) {
                for (int row = 0; row < 2; row++) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getObject(1, LocalDate.class)).isEqualTo(date);
                    assertThat(rs.getObject(2, LocalTime.class)).isEqualTo(time);
                    assertThat(rs.getObject(3, LocalDateTime.class)).isEqualTo(ts);
                    OffsetDateTime back = rs.getObject(4, OffsetDateTime.class);
                    assertThat(back.toInstant()).isEqualTo(tstz.toInstant());
                    assertThat(back.getOffset()).isEqualTo(ZoneOffset.UTC); // as pgjdbc
                    assertThat(rs.getObject(4, Instant.class)).isEqualTo(tstz.toInstant());
                    assertThat(rs.getObject(5, OffsetTime.class)).isEqualTo(timetz);
                    // the java.sql types read the same values
                    assertThat(rs.getDate(1)).isEqualTo(Date.valueOf(date));
                    assertThat(rs.getTimestamp(3)).isEqualTo(Timestamp.valueOf(ts));
                    assertThat(rs.getTimestamp(4).toInstant()).isEqualTo(tstz.toInstant());
                    assertThat(rs.getObject(1)).isInstanceOf(Date.class);
                    assertThat(rs.getObject(3)).isInstanceOf(Timestamp.class);
                }
            }
        }
    }

    @Test
    void javaSqlTypesRoundTripIntoTimestampAndTimestamptzAlike(TestDatabase db) throws SQLException {
        Timestamp ts = Timestamp.valueOf("2021-03-28 02:30:00.123456"); // wall-clock time in the JVM's zone
        Date d = Date.valueOf("2000-01-01");
        Time t = Time.valueOf("12:34:56");
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            c.createStatement().execute("CREATE TABLE st (ts timestamp, tstz timestamptz, d date, t time)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO st VALUES (?, ?, ?, ?)")) {
                ps.setTimestamp(1, ts);
                ps.setTimestamp(2, ts);
                ps.setDate(3, d);
                ps.setTime(4, t);
                ps.executeUpdate();
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT ts, tstz, d, t FROM st")) {
                rs.next();
                assertThat(rs.getTimestamp(1)).isEqualTo(ts);
                assertThat(rs.getTimestamp(2).getTime()).isEqualTo(ts.getTime());
                assertThat(rs.getDate(3)).isEqualTo(d);
                assertThat(rs.getTime(4)).isEqualTo(t);
            }
        }
    }
}
