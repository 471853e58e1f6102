package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;
import org.junit.jupiter.api.Test;

import java.time.*;

import static dev.tusk.types.CodecTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DateTimeCodecsTest {
    @Test
    void dateBinaryCountsDaysFrom2000() {
        assertThat(hex(dump(LocalDate.of(2000, 1, 1), Format.BINARY))).isEqualTo("00000000");
        assertThat(hex(dump(LocalDate.of(1999, 12, 31), Format.BINARY))).isEqualTo("ffffffff");
        assertThat(load(1082, Format.BINARY, unhex("0000016e"))).isEqualTo(LocalDate.of(2001, 1, 1));
    }

    @Test
    void dateTextWithBcAndBigYears() {
        assertThat(dumpText(LocalDate.of(2024, 2, 29))).isEqualTo("2024-02-29");
        assertThat(dumpText(LocalDate.of(0, 1, 1))).isEqualTo("0001-01-01 BC");
        assertThat(dumpText(LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
        assertThat(loadText(1082, "0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
        assertThat(loadText(1082, "5874897-12-31")).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(roundTrip(LocalDate.of(-4712, 1, 1), Format.BINARY, 0)).isEqualTo(LocalDate.of(-4712, 1, 1));
        assertThatThrownBy(() -> loadText(1082, "01/02/2024")).isInstanceOf(DataException.class).hasMessageContaining("DateStyle");
    }

    @Test
    void infinityRaisesUnlessMapped() {
        assertThatThrownBy(() -> loadText(1082, "infinity")).isInstanceOf(DataException.class).hasMessageContaining("mapInfinity");
        assertThatThrownBy(() -> load(1114, Format.BINARY, unhex("7fffffffffffffff"))).isInstanceOf(DataException.class);
        AdaptersMap m = M.child();
        DateTimeAdapters.mapInfinity(m);
        assertThat(load(m, 1082, Format.TEXT, "-infinity".getBytes())).isEqualTo(LocalDate.MIN);
        assertThat(load(m, 1082, Format.BINARY, unhex("7fffffff"))).isEqualTo(LocalDate.MAX);
        assertThat(load(m, 1114, Format.BINARY, unhex("8000000000000000"))).isEqualTo(LocalDateTime.MIN);
        assertThat(load(m, 1184, Format.TEXT, "infinity".getBytes())).isEqualTo(OffsetDateTime.MAX);
        assertThat(new String(dump(m, LocalDate.MAX, Format.TEXT))).isEqualTo("infinity");
        assertThat(hex(dump(m, OffsetDateTime.MIN, Format.BINARY))).isEqualTo("8000000000000000");
        // the parent map is untouched
        assertThatThrownBy(() -> loadText(1082, "infinity")).isInstanceOf(DataException.class);
    }

    @Test
    void timestamptzTextFastPathAgreesWithTheGeneralParser() {
        String[] same = {"2024-01-01 00:00:01+00", "2024-02-29 23:59:59.5+05:30", "1999-12-31 12:34:56.123456-03",
                "0001-01-01 00:00:00+00", "2024-06-01 10:00:00.000001+05:45", "1900-01-01 00:00:00+01:33:20",
                "2024-06-01 10:00:00-09:30", "9999-12-31 23:59:59.999999+14"};
        for (String s : same) {
            byte[] b = s.getBytes();
            OffsetDateTime fast = DateTimeText.fastTimestampTz(b, 0, b.length, new DayMemo());
            assertThat(fast).as(s).isNotNull().isEqualTo(DateTimeText.parseTimestampTz(s));
            assertThat(loadText(1184, s)).as(s).isEqualTo(fast);
        }
        // forms the fast path leaves to the general parser, which reads them or explains what is wrong
        String[] general = {"0044-03-15 12:00:00+00 BC", "12345-01-01 00:00:00+00", "2024-01-01 24:00:00+00",
                "2024-01-01 00:00:00", "2024-01-01T00:00:00+00", "2024-13-01 00:00:00+00", "2024-01-01 00:00:00.+00",
                "2024-01-01 00:00:00+0", "2024-01-01 00:00:00+00:3", "2024-01-01 0a:00:00+00", "2024-01-01 00:00:00+00:00:00:00"};
        for (String s : general) {
            byte[] b = s.getBytes();
            assertThat(DateTimeText.fastTimestampTz(b, 0, b.length, new DayMemo())).as(s).isNull();
        }
        assertThat(loadText(1184, "0044-03-15 12:00:00+00 BC")).isEqualTo(OffsetDateTime.of(-43, 3, 15, 12, 0, 0, 0, ZoneOffset.UTC));
        assertThat(loadText(1184, "2024-01-01 24:00:00+00")).isEqualTo(OffsetDateTime.of(2024, 1, 2, 0, 0, 0, 0, ZoneOffset.UTC));
        assertThatThrownBy(() -> loadText(1184, "2024-13-01 00:00:00+00")).isInstanceOf(DataException.class).hasMessageContaining("DateStyle");
    }

    @Test
    void timestampBinaryIsMicrosSince2000() {
        LocalDateTime t = LocalDateTime.of(2000, 1, 1, 0, 0, 1, 1_000);
        assertThat(hex(dump(t, Format.BINARY))).isEqualTo("00000000000f4241");
        assertThat(load(1114, Format.BINARY, unhex("fffffffffffffffe"))).isEqualTo(LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999_998_000));
        LocalDateTime max = LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000);
        assertThat(roundTrip(max, Format.BINARY, 0)).isEqualTo(max);
        assertThat(roundTrip(max, Format.TEXT, 0)).isEqualTo(max);
        assertThat(dumpText(max)).isEqualTo("294276-12-31 23:59:59.999999");
    }

    @Test
    void timestampTextForms() {
        assertThat(loadText(1114, "2024-01-31 12:34:56.5")).isEqualTo(LocalDateTime.of(2024, 1, 31, 12, 34, 56, 500_000_000));
        assertThat(loadText(1114, "0001-01-01 00:00:00 BC")).isEqualTo(LocalDateTime.of(0, 1, 1, 0, 0));
        assertThat(dumpText(LocalDateTime.of(0, 1, 1, 0, 0))).isEqualTo("0001-01-01 00:00:00 BC");
        assertThat(dumpText(LocalDateTime.of(2024, 1, 31, 1, 2, 3, 120_000_000))).isEqualTo("2024-01-31 01:02:03.12");
    }

    @Test
    void timestamptzTextCarriesTheSessionOffset() {
        assertThat(loadText(1184, "2024-01-31 12:34:56.123456+05:30"))
                .isEqualTo(OffsetDateTime.of(2024, 1, 31, 12, 34, 56, 123_456_000, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(loadText(1184, "1900-01-01 00:00:00+00:09:21"))
                .isEqualTo(OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(0, 9, 21)));
        assertThat(loadText(1184, "2024-01-31 12:00:00-08")).isEqualTo(OffsetDateTime.of(2024, 1, 31, 12, 0, 0, 0, ZoneOffset.ofHours(-8)));
        assertThat(dumpText(OffsetDateTime.of(2024, 1, 31, 12, 0, 0, 0, ZoneOffset.ofHours(-8)))).isEqualTo("2024-01-31 12:00:00-08:00");
        assertThat(dumpText(Instant.parse("2024-01-31T12:00:00Z"))).isEqualTo("2024-01-31 12:00:00+00:00");
    }

    @Test
    void timestamptzBinaryUsesTheSessionZone() {
        Instant i = Instant.parse("2024-07-01T10:00:00Z");
        byte[] b = dump(i, Format.BINARY);
        assertThat(load(1184, Format.BINARY, b)).isEqualTo(OffsetDateTime.of(2024, 7, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        AdaptersMap m = M.child();
        ZoneId[] zone = {ZoneId.of("Europe/Paris")};
        DateTimeAdapters.useSessionZone(m, () -> zone[0]);
        assertThat(load(m, 1184, Format.BINARY, b)).isEqualTo(OffsetDateTime.of(2024, 7, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)));
        zone[0] = ZoneId.of("America/New_York");
        assertThat(load(m, 1184, Format.BINARY, b)).isEqualTo(OffsetDateTime.of(2024, 7, 1, 6, 0, 0, 0, ZoneOffset.ofHours(-4)));
        assertThat(hex(dump(ZonedDateTime.ofInstant(i, zone[0]), Format.BINARY))).isEqualTo(hex(b));
        assertThat(M.dumperFor(i, null).oid()).isEqualTo(1184);
        // arrays pick up the connection's element loader
        @SuppressWarnings("unchecked")
        java.util.List<Object> arr = (java.util.List<Object>) load(m, 1185, Format.BINARY, dump(java.util.List.of(i), Format.BINARY));
        assertThat(arr).containsExactly(OffsetDateTime.of(2024, 7, 1, 6, 0, 0, 0, ZoneOffset.ofHours(-4)));
    }

    @Test
    void nanosecondsRoundToMicroseconds() {
        assertThat(hex(dump(LocalDateTime.of(2000, 1, 1, 0, 0, 0, 1_500), Format.BINARY))).isEqualTo("0000000000000002");
        assertThat(hex(dump(LocalDateTime.of(2000, 1, 1, 0, 0, 0, 1_499), Format.BINARY))).isEqualTo("0000000000000001");
    }

    @Test
    void timeAndTimetz() {
        assertThat(hex(dump(LocalTime.of(0, 0, 1), Format.BINARY))).isEqualTo("00000000000f4240");
        assertThat(loadText(1083, "24:00:00")).isEqualTo(LocalTime.MAX);
        assertThat(load(1083, Format.BINARY, unhex("000000141dd76000"))).isEqualTo(LocalTime.MAX);
        assertThat(loadText(1083, "13:45:00.000001")).isEqualTo(LocalTime.of(13, 45, 0, 1000));
        OffsetTime t = OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHours(2));
        // timetz_send: micros then the zone in seconds WEST of UTC
        assertThat(hex(dump(t, Format.BINARY))).isEqualTo("0000000861c46800" + "ffffe3e0");
        assertThat(roundTrip(t, Format.BINARY, 0)).isEqualTo(t);
        assertThat(dumpText(t)).isEqualTo("10:00:00+02:00");
        assertThat(loadText(1266, "10:00:00+02")).isEqualTo(t);
        assertThat(loadText(1266, "10:00:00-03:30")).isEqualTo(OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHoursMinutes(-3, -30)));
    }

    @Test
    void posixAndIanaZoneNames() {
        assertThat(DateTimeAdapters.zoneOf("Europe/Paris")).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(DateTimeAdapters.zoneOf("UTC")).isEqualTo(ZoneId.of("UTC"));
        assertThat(DateTimeAdapters.zoneOf("<+03>-03")).isEqualTo(ZoneOffset.ofHours(3));
        assertThat(DateTimeAdapters.zoneOf("UTC+5")).isEqualTo(ZoneOffset.ofHours(-5));
    }
}
