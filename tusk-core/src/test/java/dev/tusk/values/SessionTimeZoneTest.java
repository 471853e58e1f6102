package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** trust #13: the session time zone as the server reads it: POSIX offsets count hours west. */
@Timeout(60)
@TuskTest
class SessionTimeZoneTest {

    // trust #13
    @ParameterizedTest
    @CsvSource({"UTC+3, -03:00", "UTC-5, +05:00", "<+03>-03, +03:00", "GMT+2, -02:00", "UTC, UTC", "Europe/Paris, Europe/Paris",
            "Etc/GMT+4, Etc/GMT+4"})
    void infoTimezoneIsTheZoneTheServerUses(String tz, String expected, TestDatabase db) {
        for (boolean binary : new boolean[] {false, true}) {
            try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).binary(binary).build())) {
                conn.execute("SET TimeZone = '" + tz + "'");
                ZoneId zone = conn.info().timezone();
                assertThat(zone).isEqualTo(ZoneId.of(expected));
                // the server's own offset for now in that zone agrees
                Row r = conn.execute("SELECT extract(timezone FROM now())::int, '2024-07-01 12:00:00+00'::timestamptz").fetchone();
                int serverOffset = r.getInt(0);
                assertThat(zone.getRules().getOffset(java.time.Instant.now()).getTotalSeconds()).isEqualTo(serverOffset);
                OffsetDateTime t = r.get(1, OffsetDateTime.class);
                assertThat(t.toInstant()).isEqualTo(java.time.Instant.parse("2024-07-01T12:00:00Z"));
                assertThat(t.getOffset()).as("binary=%s", binary)
                        .isEqualTo(zone.getRules().getOffset(t.toInstant()));
            }
        }
    }
}
