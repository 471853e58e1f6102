package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30's {@code ZonedDateTime}: psycopg loads a timestamptz as a datetime in the session's {@code TimeZone}
 * (tests/types/test_datetime.py::test_load_datetimetz_tz, text and binary); {@code row.get(i, ZonedDateTime.class)}
 * gives the same zone, on both drivers, in text and binary.
 */
@TuskTest
@Timeout(60)
class PsycopgParityZoneTest {
    private static List<Row> rows(Flavour flavour, TestDatabase db, String zone, String sql, Boolean binary) {
        try (Flavour.Session s = flavour.open(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            s.rows("SET TimeZone TO '" + zone + "'");
            return s.rows(sql, List.of(), ExecuteOptions.builder().binary(binary).build());
        }
    }

    // test_load_datetimetz_tz: UTC, Europe/Rome in winter, summer and in the year 1000 (local mean time, +00:49:56)
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aTimestamptzAsZonedDateTimeIsInTheSessionsTimeZone(Flavour flavour, TestDatabase db) {
        for (Boolean binary : new Boolean[] {false, true, null}) {
            String sql = "SELECT '2000-01-01'::timestamptz, '2000-07-01'::timestamptz, '1000-01-01'::timestamptz";
            Row rome = rows(flavour, db, "Europe/Rome", sql, binary).get(0);
            ZonedDateTime winter = rome.get(0, ZonedDateTime.class);
            assertThat(winter.getZone()).as("binary " + binary).isEqualTo(ZoneId.of("Europe/Rome"));
            assertThat(winter.getOffset().getTotalSeconds()).isEqualTo(3600);
            assertThat(rome.get(1, ZonedDateTime.class).getOffset().getTotalSeconds()).isEqualTo(7200);
            assertThat(rome.get(2, ZonedDateTime.class).getOffset().getTotalSeconds()).isEqualTo(2996);
            assertThat(winter.toInstant()).isEqualTo(Instant.parse("1999-12-31T23:00:00Z"));
            assertThat(winter.toOffsetDateTime()).isEqualTo(rome.get(0, OffsetDateTime.class));

            Row utc = rows(flavour, db, "UTC", sql, binary).get(0);
            assertThat(utc.get(1, ZonedDateTime.class).getZone()).isEqualTo(ZoneId.of("UTC"));
            assertThat(utc.get(1, ZonedDateTime.class).getOffset()).isEqualTo(ZoneOffset.UTC);
        }
    }

    /** A setting Java has no zone for with the same rules (POSIX daylight-saving rules): the value's own offset. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSessionZoneJavaCannotFollowExactlyGivesTheValuesOffset(Flavour flavour, TestDatabase db) {
        Row r = rows(flavour, db, "XYZ3ABC,M3.2.0,M11.1.0", "SELECT '2000-07-01 12:00:00+00'::timestamptz", false).get(0);
        ZonedDateTime z = r.get(0, ZonedDateTime.class);
        assertThat(z.getZone()).isEqualTo(ZoneOffset.ofHours(-2));
        assertThat(z.toInstant()).isEqualTo(Instant.parse("2000-07-01T12:00:00Z"));
    }
}
