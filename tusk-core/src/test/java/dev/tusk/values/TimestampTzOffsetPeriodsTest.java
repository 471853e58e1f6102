package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A binary timestamptz is shown at the offset its own instant has in the session's zone, also when the values of one
 * result run through the zone's transitions in both directions (the loader remembers the offset period of the last
 * value), and when the same prepared statement runs again after a {@code SET TimeZone}: every getter answers as on a
 * text connection, value by value.
 */
@Timeout(120)
@TuskTest
class TimestampTzOffsetPeriodsTest {
    /**
     * Per zone, a series through a DST start and end (15-minute steps, then back in time), historic offsets (local
     * mean time, wartime double summer time) and the ends of the range Java shows.
     */
    private static final String QUERY = "SELECT t FROM ("
            + " SELECT t, 1 AS o, n FROM generate_series(timestamptz '2024-03-30 20:00Z', '2024-04-07 06:00Z', interval '15 min')"
            + "   WITH ORDINALITY x(t, n)"
            + " UNION ALL SELECT t, 2, n FROM generate_series(timestamptz '2024-11-05 12:00Z', '2024-09-25 00:00Z',"
            + "   interval '-37 min') WITH ORDINALITY x(t, n)"
            + " UNION ALL SELECT t, 3, n FROM generate_series(timestamptz '1890-01-01 00:00Z', '1950-01-01 00:00Z',"
            + "   interval '61 days') WITH ORDINALITY x(t, n)"
            + " UNION ALL SELECT t, 4, n FROM generate_series(timestamptz '2037-10-01 00:00Z', '2038-05-01 00:00Z',"
            + "   interval '7 hours') WITH ORDINALITY x(t, n)"
            + " UNION ALL VALUES (timestamptz '4713-01-02 00:00Z BC', 5, 1), (timestamptz '294276-12-30 00:00Z', 5, 2),"
            + "   (timestamptz '1970-01-01 00:00Z', 5, 3), (NULL, 5, 4), (timestamptz '2024-03-31 00:59:59.999999Z', 5, 5),"
            + "   (timestamptz '2024-03-31 01:00Z', 5, 6), (timestamptz '2024-03-31 00:59:59Z', 5, 7)"
            + ") s WHERE %s = %s ORDER BY o, n";

    private static final String[] ZONES = {"Europe/Berlin", "Australia/Lord_Howe", "Europe/Dublin", "America/Sao_Paulo",
            "Africa/Casablanca", "Europe/London", "America/St_Johns", "UTC", "Europe/Berlin"};

    private static List<String> answers(Connection<Row> conn) {
        List<String> out = new ArrayList<>();
        for (Row r : conn.execute(QUERY, 1, 1)) {
            out.add(r.getString(0) + " | " + r.get(0) + " | " + r.get(0, OffsetDateTime.class) + " | "
                    + r.get(0, ZonedDateTime.class) + " | " + r.get(0, Instant.class));
        }
        return out;
    }

    @Test
    void everyValueAtItsOwnOffsetThroughTransitionsAndZoneChanges(TestDatabase db) {
        try (Connection<Row> text = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).binary(false)
                .prepareThreshold(0).autocommit(true).build());
             Connection<Row> auto = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                     .prepareThreshold(0).autocommit(true).build())) {
            auto.execute(QUERY, 1, 1); // prepared and described: later runs receive timestamptz in binary
            for (String zone : ZONES) { // the same prepared statement under each zone in turn, set between statements
                text.execute("SET TimeZone = '" + zone + "'");
                auto.execute("SET TimeZone = '" + zone + "'");
                List<String> expected = answers(text);
                List<String> actual = answers(auto);
                assertThat(auto.execute(QUERY, 1, 1).fetchone().columns().get(0).wireFormatCode())
                        .as("received in binary").isEqualTo(1);
                assertThat(expected).hasSizeGreaterThan(1000);
                assertThat(actual).as(zone).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void infinityIsRefusedAsOnAText(TestDatabase db) {
        try (Connection<Row> auto = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .prepareThreshold(0).autocommit(true).build())) {
            auto.execute("SET TimeZone = 'Europe/Berlin'");
            String q = "SELECT t FROM (VALUES (timestamptz '2024-03-31 00:30Z'), ('infinity'), ('2024-03-31 01:30Z'),"
                    + " ('-infinity')) v(t) WHERE %s = %s";
            auto.execute(q, 1, 1);
            List<Row> rows = auto.execute(q, 1, 1).fetchall();
            assertThat(rows.get(0).columns().get(0).wireFormatCode()).isEqualTo(1);
            assertThat(rows.get(0).get(0)).hasToString("2024-03-31T01:30+01:00");
            assertThat(rows.get(1).getString(0)).isEqualTo("infinity");
            assertThatThrownBy(() -> rows.get(1).get(0)).isInstanceOf(DataException.class).hasMessageContaining("infinity");
            assertThat(rows.get(2).get(0)).hasToString("2024-03-31T03:30+02:00");
            assertThat(rows.get(3).getString(0)).isEqualTo("-infinity");
            assertThatThrownBy(() -> rows.get(3).get(0)).isInstanceOf(DataException.class).hasMessageContaining("infinity");
        }
    }
}
