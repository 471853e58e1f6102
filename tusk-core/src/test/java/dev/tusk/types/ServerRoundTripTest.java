package dev.tusk.types;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every built-in codec against a real server: each value is sent as a text ({@code %t}) and as a binary
 * ({@code %b}) parameter, cast to its type, read back in text and in binary results, and compared both
 * with the original value and with the server's own text output ({@code ::text}), so Tusk and PostgreSQL agree.
 */
@TuskTest
class ServerRoundTripTest {
    private Connection<Row> conn;

    @BeforeEach
    void connect(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
    }

    @AfterEach
    void close() {
        conn.close();
    }

    /** One value: sent, cast to {@code type}, expected back as {@code loaded} and printed by the server as {@code serverText}. */
    record Case(Object value, String type, Object loaded, String serverText) {
        static Case of(Object value, String type, String serverText) {
            return new Case(value, type, value, serverText);
        }
    }

    private final List<String> failures = new ArrayList<>();

    /** Runs every case in the 4 combinations of parameter format × result format; reports all mismatches at once. */
    private void check(List<Case> cases) {
        for (Case c : cases) {
            for (String placeholder : List.of("%t", "%b")) {
                for (boolean binaryResult : List.of(false, true)) {
                    String where = c.type + " " + describe(c.value) + " sent " + placeholder + ", result "
                            + (binaryResult ? "binary" : "text");
                    try {
                        Cursor<Row> cur = conn.cursor();
                        cur.setBinary(binaryResult);
                        Row r = cur.execute("SELECT " + placeholder + "::" + c.type + ", (" + placeholder + "::" + c.type + ")::text",
                                c.value, c.value).fetchone();
                        Object got = r.get(0);
                        if (!same(got, c.loaded)) {
                            failures.add(where + ": loaded " + describe(got) + ", expected " + describe(c.loaded));
                        }
                        if (c.serverText != null && !c.serverText.equals(r.getString(1))) {
                            failures.add(where + ": server printed " + r.getString(1) + ", expected " + c.serverText);
                        }
                    } catch (RuntimeException e) {
                        failures.add(where + ": " + e);
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** Loads {@code literal} (an SQL expression) in text and in binary results and checks both give {@code expected}. */
    private void checkLiteral(String literal, Object expected) {
        for (boolean binaryResult : List.of(false, true)) {
            Cursor<Row> cur = conn.cursor();
            cur.setBinary(binaryResult);
            Object got = cur.execute("SELECT " + literal).fetchone().get(0);
            assertThat(same(got, expected)).as(literal + (binaryResult ? " binary" : " text") + ": got "
                    + describe(got) + ", expected " + describe(expected)).isTrue();
        }
    }

    private void checkLiteralFails(String literal, String messagePart) {
        for (boolean binaryResult : List.of(false, true)) {
            Cursor<Row> cur = conn.cursor();
            cur.setBinary(binaryResult);
            assertThatThrownBy(() -> cur.execute("SELECT " + literal).fetchone().get(0))
                    .as(literal + (binaryResult ? " binary" : " text"))
                    .isInstanceOf(DataException.class).hasMessageContaining(messagePart);
        }
    }

    static boolean same(Object a, Object b) {
        if (a instanceof OffsetDateTime x && b instanceof OffsetDateTime y) {
            return x.isEqual(y);
        }
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.equals(y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.deepEquals(a, b);
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v);
        if (s.length() > 60) {
            s = s.substring(0, 60) + "...";
        }
        return s + " (" + v.getClass().getSimpleName() + ")";
    }

    @Test
    void booleansAndIntegers() {
        check(List.of(
                Case.of(true, "bool", "true"), Case.of(false, "bool", "false"),
                Case.of(Short.MIN_VALUE, "int2", "-32768"), Case.of(Short.MAX_VALUE, "int2", "32767"),
                Case.of(0, "int4", "0"), Case.of(Integer.MIN_VALUE, "int4", "-2147483648"),
                Case.of(Integer.MAX_VALUE, "int4", "2147483647"),
                Case.of(Long.MIN_VALUE, "int8", "-9223372036854775808"),
                Case.of(Long.MAX_VALUE, "int8", "9223372036854775807"),
                Case.of(4294967295L, "oid", "4294967295"), Case.of(0L, "oid", "0")));
    }

    @Test
    void floats() {
        check(List.of(
                Case.of(1.5f, "float4", "1.5"), Case.of(Float.NaN, "float4", "NaN"),
                Case.of(Float.POSITIVE_INFINITY, "float4", "Infinity"),
                Case.of(Float.NEGATIVE_INFINITY, "float4", "-Infinity"),
                Case.of(Float.MAX_VALUE, "float4", "3.4028235e+38"),
                Case.of(0.1, "float8", "0.1"), Case.of(-0.0, "float8", "-0"),
                Case.of(Double.NaN, "float8", "NaN"), Case.of(Double.POSITIVE_INFINITY, "float8", "Infinity"),
                Case.of(Double.NEGATIVE_INFINITY, "float8", "-Infinity"),
                Case.of(Double.MIN_VALUE, "float8", "5e-324"),
                Case.of(Double.MAX_VALUE, "float8", "1.7976931348623157e+308")));
    }

    @Test
    void numerics() {
        check(List.of(
                Case.of(new BigDecimal("0"), "numeric", "0"),
                Case.of(new BigDecimal("123.4500"), "numeric", "123.4500"),
                Case.of(new BigDecimal("-0.000001"), "numeric", "-0.000001"),
                Case.of(new BigDecimal("0.00"), "numeric", "0.00"),
                Case.of(new BigDecimal("10000"), "numeric", "10000"),
                Case.of(new BigDecimal("1000000.000000"), "numeric", "1000000.000000"),
                Case.of(new BigDecimal("0.0001"), "numeric", "0.0001"),
                Case.of(new BigDecimal("0.00000000000000000001"), "numeric", "0.00000000000000000001"),
                Case.of(new BigDecimal("99999999999999999999"), "numeric", "99999999999999999999"),
                Case.of(new BigDecimal("-12345.678901"), "numeric", "-12345.678901"),
                Case.of(new BigDecimal("123456789012345678901234567890.123456789012345678901234567890"), "numeric",
                        "123456789012345678901234567890.123456789012345678901234567890"),
                new Case(new BigDecimal("1E+5"), "numeric", new BigDecimal("100000"), "100000"),
                new Case(new BigInteger("-98765432109876543210"), "numeric", new BigDecimal("-98765432109876543210"),
                        "-98765432109876543210")));
        checkLiteralFails("'NaN'::numeric", "NaN");
        checkLiteralFails("'Infinity'::numeric", "Infinity");
        checkLiteralFails("'-Infinity'::numeric", "Infinity");
        NumericAdapters.loadSpecialValuesAsDouble(conn.adapters());
        checkLiteral("'NaN'::numeric", Double.NaN);
        checkLiteral("'-Infinity'::numeric", Double.NEGATIVE_INFINITY);
        checkLiteral("'1.50'::numeric", new BigDecimal("1.50"));
    }

    @Test
    void texts() {
        String unicode = "naïve ☃ 𝄞 日本語 \"quoted\" 'single' \\ back";
        check(List.of(
                Case.of(unicode, "text", unicode), Case.of("", "text", ""),
                Case.of("x y", "varchar", "x y"), new Case("ab", "char(4)", "ab  ", "ab"),
                Case.of("pg_class", "name", "pg_class"), Case.of("é", "varchar(3)", "é"),
                Case.of("<a>b</a>", "xml", "<a>b</a>")));
        checkLiteral("'x'::\"char\"", "x");
        checkLiteral("'12.5'::money", conn.execute("SELECT '12.5'::money::text").fetchone().getString(0));
    }

    @Test
    void aStringWithNulIsRejectedBeforeSending() {
        for (String p : List.of("%s", "%t", "%b")) {
            assertThatThrownBy(() -> conn.execute("SELECT " + p + "::text", "a\0b"))
                    .isInstanceOf(DataException.class).hasMessageContaining("NUL");
        }
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void byteaAndUuid() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        check(List.of(
                Case.of(all, "bytea", null), Case.of(new byte[0], "bytea", "\\x"),
                Case.of(new byte[] {0, 'x', (byte) 0xff}, "bytea", "\\x0078ff"),
                Case.of(u, "uuid", u.toString()), Case.of(new UUID(0, 0), "uuid", "00000000-0000-0000-0000-000000000000")));
    }

    @Test
    void datesAndTimes() {
        check(List.of(
                Case.of(LocalDate.of(2024, 2, 29), "date", "2024-02-29"),
                Case.of(LocalDate.of(1999, 12, 31), "date", "1999-12-31"),
                Case.of(LocalDate.of(2000, 1, 1), "date", "2000-01-01"),
                Case.of(LocalDate.of(-43, 3, 15), "date", "0044-03-15 BC"),
                Case.of(LocalDate.of(0, 1, 1), "date", "0001-01-01 BC"),
                Case.of(LocalDate.of(-4712, 11, 24), "date", "4713-11-24 BC"),
                Case.of(LocalDate.of(294276, 12, 31), "date", "294276-12-31"),
                Case.of(LocalDate.of(5874897, 12, 31), "date", "5874897-12-31"),
                Case.of(LocalTime.of(0, 0), "time", "00:00:00"),
                Case.of(LocalTime.of(23, 59, 59, 999_999_000), "time", "23:59:59.999999"),
                Case.of(LocalTime.of(12, 30, 1, 500_000_000), "time", "12:30:01.5"),
                Case.of(OffsetTime.of(23, 59, 59, 0, ZoneOffset.ofHoursMinutesSeconds(-3, -25, -17)), "timetz", "23:59:59-03:25:17"),
                Case.of(OffsetTime.of(0, 0, 0, 0, ZoneOffset.UTC), "timetz", "00:00:00+00"),
                Case.of(OffsetTime.of(10, 20, 30, 0, ZoneOffset.ofHoursMinutes(5, 30)), "timetz", "10:20:30+05:30"),
                Case.of(OffsetTime.of(10, 20, 30, 123_000, ZoneOffset.ofHours(-8)), "timetz", "10:20:30.000123-08"),
                Case.of(LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123_456_000), "timestamp", "2024-02-29 13:14:15.123456"),
                Case.of(LocalDateTime.of(1900, 1, 1, 0, 0), "timestamp", "1900-01-01 00:00:00"),
                Case.of(LocalDateTime.of(-4712, 1, 1, 0, 0), "timestamp", "4713-01-01 00:00:00 BC"),
                Case.of(LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000), "timestamp",
                        "294276-12-31 23:59:59.999999"),
                Case.of(OffsetDateTime.of(2024, 7, 1, 12, 0, 0, 1000, ZoneOffset.UTC), "timestamptz",
                        "2024-07-01 12:00:00.000001+00"),
                new Case(OffsetDateTime.of(2024, 7, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)), "timestamptz",
                        OffsetDateTime.of(2024, 7, 1, 10, 0, 0, 0, ZoneOffset.UTC), "2024-07-01 10:00:00+00"),
                new Case(Instant.parse("1969-07-20T20:17:40Z"), "timestamptz",
                        OffsetDateTime.parse("1969-07-20T20:17:40Z"), "1969-07-20 20:17:40+00"),
                new Case(ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneId.of("Europe/Paris")), "timestamptz",
                        OffsetDateTime.parse("2023-12-31T23:00:00Z"), "2023-12-31 23:00:00+00")));
    }

    @Test
    void timestamptzFollowsTheSessionTimeZone() {
        for (String zone : List.of("America/New_York", "Asia/Kolkata", "UTC+3", "<+0530>-05:30")) {
            conn.execute("SELECT set_config('TimeZone', %s, false)", zone);
            String printed = conn.execute("SELECT '2024-07-01 12:00:00+00'::timestamptz::text").fetchone().getString(0);
            OffsetDateTime serverView = OffsetDateTime.parse(printed.replace(' ', 'T') + (printed.matches(".*[+-]\\d\\d$") ? ":00" : ""));
            for (boolean binary : List.of(false, true)) {
                Cursor<Row> cur = conn.cursor();
                cur.setBinary(binary);
                Object got = cur.execute("SELECT '2024-07-01 12:00:00+00'::timestamptz").fetchone().get(0);
                assertThat(got).as(zone + (binary ? " binary" : " text")).isInstanceOf(OffsetDateTime.class);
                OffsetDateTime t = (OffsetDateTime) got;
                assertThat(t.toInstant()).as(zone).isEqualTo(Instant.parse("2024-07-01T12:00:00Z"));
                assertThat(t.getOffset()).as(zone + (binary ? " binary" : " text") + " offset").isEqualTo(serverView.getOffset());
            }
            Case sent = new Case(OffsetDateTime.parse("2024-01-15T08:00:00Z"), "timestamptz",
                    OffsetDateTime.parse("2024-01-15T08:00:00Z"), null);
            check(List.of(sent));
        }
    }

    @Test
    void infiniteDatesRaiseUnlessMapped() {
        checkLiteralFails("'infinity'::date", "infinity");
        checkLiteralFails("'-infinity'::timestamp", "infinity");
        checkLiteralFails("'infinity'::timestamptz", "infinity");
        DateTimeAdapters.mapInfinity(conn.adapters());
        checkLiteral("'infinity'::date", LocalDate.MAX);
        checkLiteral("'-infinity'::date", LocalDate.MIN);
        checkLiteral("'infinity'::timestamp", LocalDateTime.MAX);
        checkLiteral("'-infinity'::timestamptz", OffsetDateTime.MIN);
        check(List.of(Case.of(LocalDate.MAX, "date", "infinity"), Case.of(LocalDate.MIN, "date", "-infinity"),
                Case.of(LocalDateTime.MAX, "timestamp", "infinity"),
                new Case(Instant.MAX, "timestamptz", OffsetDateTime.MAX, "infinity")));
    }

    @Test
    void intervals() {
        check(List.of(
                Case.of(new Interval(14, 3, 4_005_006_000L), "interval", "1 year 2 mons 3 days 01:06:45.006"),
                Case.of(new Interval(-1, -2, -3_000_001L), "interval", "-1 mons -2 days -00:00:03.000001"),
                Case.of(new Interval(0, 0, 0), "interval", "00:00:00"),
                new Case(Duration.ofHours(49), "interval", new Interval(0, 0, 49 * 3_600_000_000L), "49:00:00")));
        conn.execute("SET IntervalStyle = 'iso_8601'");
        checkLiteral("'1 year 2 mons 3 days 04:05:06.5'::interval", new Interval(14, 3, 14_706_500_000L));
        conn.execute("SET IntervalStyle = 'sql_standard'");
        checkLiteral("'-1 year -2 mons +3 days -04:05:06'::interval", new Interval(-14, 3, -14_706_000_000L));
        conn.execute("SET IntervalStyle = 'postgres_verbose'");
        checkLiteral("'1 day 2 hours ago'::interval", new Interval(0, -1, -7_200_000_000L));
    }

    @Test
    void jsonNetworkAndBits() throws Exception {
        check(List.of(
                new Case(new Json("{\"a\": [1, 2.5, null, \"☃\"]}"), "json", "{\"a\": [1, 2.5, null, \"☃\"]}", null),
                new Case(new Jsonb("{\"b\":1,  \"a\": [true]}"), "jsonb", "{\"a\": [true], \"b\": 1}",
                        "{\"a\": [true], \"b\": 1}"),
                Case.of(new Inet(InetAddress.getByName("192.168.0.1"), 32), "inet", "192.168.0.1/32"),
                Case.of(new Inet(InetAddress.getByName("10.1.0.0"), 16), "inet", "10.1.0.0/16"),
                Case.of(new Inet(InetAddress.getByName("2001:db8::1"), 128), "inet", "2001:db8::1/128"),
                Case.of(new Inet(InetAddress.getByName("10.0.0.0"), 8), "cidr", "10.0.0.0/8"),
                new Case(InetAddress.getByName("127.0.0.1"), "inet", new Inet(InetAddress.getByName("127.0.0.1"), 32), "127.0.0.1/32"),
                Case.of("08:00:2b:01:02:03", "macaddr", "08:00:2b:01:02:03"),
                Case.of("08:00:2b:01:02:03:04:05", "macaddr8", "08:00:2b:01:02:03:04:05"),
                Case.of(BitString.parse("10110"), "varbit", "10110"),
                Case.of(BitString.parse(""), "varbit", ""),
                Case.of(BitString.parse("101100111"), "bit(9)", "101100111")));
    }

    @Test
    void arrays() {
        check(List.of(
                Case.of(List.of(1, 2, 3), "int4[]", "{1,2,3}"),
                Case.of(Arrays.asList(1L, null, 3L), "int8[]", "{1,NULL,3}"),
                Case.of(List.of(), "int4[]", "{}"),
                Case.of(List.of(List.of(1, 2), List.of(3, 4)), "int4[]", "{{1,2},{3,4}}"),
                Case.of(List.of(List.of(List.of((short) 1), List.of((short) 2))), "int2[]", "{{{1},{2}}}"),
                Case.of(Arrays.asList("a b", "", null, "NULL", "q\"uo\\te", "{x,y}", "☃"), "text[]",
                        "{\"a b\",\"\",NULL,\"NULL\",\"q\\\"uo\\\\te\",\"{x,y}\",☃}"),
                Case.of(List.of(new BigDecimal("1.10"), new BigDecimal("-2")), "numeric[]", "{1.10,-2}"),
                Case.of(List.of(true, false), "bool[]", "{t,f}"),
                Case.of(List.of(LocalDate.of(-1, 1, 1), LocalDate.of(2020, 1, 1)), "date[]", "{\"0002-01-01 BC\",2020-01-01}"),
                Case.of(List.of(1.5, Double.NaN), "float8[]", "{1.5,NaN}"),
                Case.of(List.of(new byte[] {1, 2}, new byte[0]), "bytea[]", "{\"\\\\x0102\",\"\\\\x\"}"),
                new Case(new int[] {5, 6}, "int4[]", List.of(5, 6), "{5,6}"),
                new Case(new long[][] {{1, 2}, {3, 4}}, "int8[]", List.of(List.of(1L, 2L), List.of(3L, 4L)), "{{1,2},{3,4}}"),
                new Case(new String[] {"x", null}, "text[]", Arrays.asList("x", null), "{x,NULL}")));
        checkLiteral("'[2:3]={1,2}'::int[]", List.of(1, 2));
        checkLiteral("'[0:1][-1:0]={{1,2},{3,4}}'::int[]", List.of(List.of(1, 2), List.of(3, 4)));
        checkLiteral("'{{1,NULL},{NULL,4}}'::int[]", List.of(Arrays.asList(1, null), Arrays.asList(null, 4)));
        checkLiteral("ARRAY[]::text[]", List.of());
        checkLiteral("'{\"1 2\",\"\\\\\",\"\"}'::varchar[]", List.of("1 2", "\\", ""));
        // geometric types load as their value classes (issue 30), box's array with its ';' delimiter
        checkLiteral("'{(1\\,2),(3\\,4)}'::point[]", List.of(new Point(1, 2), new Point(3, 4)));
        checkLiteral("'{(1\\,2)\\,(3\\,4);(0\\,0)\\,(1\\,1)}'::box[]",
                List.of(new Box(new Point(3, 4), new Point(1, 2)), new Box(new Point(1, 1), new Point(0, 0))));
    }

    @Test
    void ranges() {
        LocalDateTime t0 = LocalDateTime.of(2024, 1, 1, 8, 30);
        OffsetDateTime z0 = OffsetDateTime.of(2024, 1, 1, 8, 30, 0, 0, ZoneOffset.UTC);
        check(List.of(
                Case.of(Range.of(1, 5), "int4range", "[1,5)"),
                new Case(Range.of(1, 5, "[]"), "int4range", Range.of(1, 6), "[1,6)"),
                new Case(Range.of(1, 5, "()"), "int4range", Range.of(2, 5), "[2,5)"),
                Case.of(Range.of(null, 5), "int4range", "(,5)"),
                Case.of(Range.of(-3, null), "int4range", "[-3,)"),
                Case.of(Range.of(null, null), "int4range", "(,)"),
                Case.of(Range.empty(), "int4range", "empty"),
                new Case(Range.of(3, 3), "int4range", Range.empty(), "empty"),
                Case.of(Range.of(Long.MIN_VALUE, 0L), "int8range", "[-9223372036854775808,0)"),
                Case.of(Range.of(new BigDecimal("1.5"), new BigDecimal("2.50"), "(]"), "numrange", "(1.5,2.50]"),
                Case.of(Range.of(null, new BigDecimal("-1"), "(]"), "numrange", "(,-1]"),
                Case.of(Range.of(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 2, 1)), "daterange", "[2024-01-01,2024-02-01)"),
                Case.of(Range.of(LocalDate.of(-10, 1, 1), null), "daterange", "[\"0011-01-01 BC\",)"),
                Case.of(Range.of(t0, t0.plusHours(1), "[]"), "tsrange", "[\"2024-01-01 08:30:00\",\"2024-01-01 09:30:00\"]"),
                Case.of(Range.of(z0, null), "tstzrange", "[\"2024-01-01 08:30:00+00\",)")));
        checkLiteral("'[1,10)'::int4range", Range.of(1, 10));
        checkLiteral("'  ( 1 , 10 ] '::int8range", Range.of(2L, 11L));
        checkLiteral("'EMPTY'::numrange", Range.empty());
        checkLiteralFails("'[2024-01-01,infinity]'::daterange", "infinity");
        DateTimeAdapters.mapInfinity(conn.adapters());
        checkLiteral("'[\"2024-01-01\",infinity]'::daterange",
                Range.of(LocalDate.of(2024, 1, 1), true, LocalDate.MAX, true)); // infinity is a value: "]" is kept
        checkLiteral("ARRAY['[1,2)'::int4range, NULL, 'empty']",
                Arrays.asList(Range.of(1, 2), null, Range.empty()));
    }

    @Test
    void multiranges() {
        check(List.of(
                Case.of(Multirange.of(Range.of(1, 3), Range.of(5, 7)), "int4multirange", "{[1,3),[5,7)}"),
                new Case(Multirange.of(Range.of(5, 7), Range.of(1, 6)), "int4multirange",
                        Multirange.of(Range.of(1, 7)), "{[1,7)}"),
                Case.of(Multirange.of(), "int4multirange", "{}"),
                new Case(Multirange.of(Range.empty()), "int8multirange", Multirange.of(), "{}"),
                Case.of(Multirange.of(Range.of(null, 0L), Range.of(10L, null)), "int8multirange", "{(,0),[10,)}"),
                Case.of(Multirange.of(Range.of(new BigDecimal("0.5"), new BigDecimal("1.5"))), "nummultirange", "{[0.5,1.5)}"),
                Case.of(Multirange.of(Range.of(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 1, 3))), "datemultirange",
                        "{[2024-01-01,2024-01-03)}")));
        checkLiteral("'{[1,3), [5,7)}'::int4multirange", List.of(Range.of(1, 3), Range.of(5, 7)));
        checkLiteral("'{}'::datemultirange", List.of());
    }

    @Test
    void arraysLoadIntoJavaArraysThroughTypedGetters() {
        for (boolean binary : List.of(false, true)) {
            Cursor<Row> cur = conn.cursor();
            cur.setBinary(binary);
            Row r = cur.execute("SELECT %s::int4[], %s::int8[], %s::text[], '{{1.5,2},{3,4}}'::float8[], '{1,NULL}'::int4[],"
                    + " '[0:1]={2020-01-01,NULL}'::date[]", new int[] {1, -2}, new long[] {Long.MAX_VALUE},
                    new String[] {"a", null, "c d"}).fetchone();
            assertThat(r.get(0, int[].class)).containsExactly(1, -2);
            assertThat(r.get(1, long[].class)).containsExactly(Long.MAX_VALUE);
            assertThat(r.get(2, String[].class)).containsExactly("a", null, "c d");
            assertThat(r.get(3, double[][].class)).isDeepEqualTo(new double[][] {{1.5, 2}, {3, 4}});
            assertThat(r.get(4, Integer[].class)).containsExactly(1, null);
            assertThat(r.get(0, long[].class)).containsExactly(1L, -2L);
            assertThat(r.get(5, LocalDate[].class)).containsExactly(LocalDate.of(2020, 1, 1), null);
            assertThatThrownBy(() -> r.get(4, int[].class)).isInstanceOf(DataException.class).hasMessageContaining("NULL");
            assertThatThrownBy(() -> r.get(3, double[].class)).isInstanceOf(DataException.class).hasMessageContaining("dimensions");
        }
    }
}
