package dev.tusk.types;

import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.sql.Literal;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every built-in type against the server: each Java value is sent with {@code %s}, {@code %t} and
 * {@code %b} and must read back on the server as PostgreSQL's own text output; the server's value must
 * load back as the Java value in text and in binary results.
 */
@TuskTest
class BuiltinValuesServerTest {
    private Connection<Row> conn;

    /** type, Java value, the server's text of it ({@code ::text}), and what loads back (the value itself by default). */
    private record Case(String type, Object value, String text, Object loaded) {
        Case(String type, Object value, String text) {
            this(type, value, text, value);
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("bool", true, "true"),
            new Case("bool", false, "false"),
            new Case("int2", (short) -32768, "-32768"),
            new Case("int2", (short) 32767, "32767"),
            new Case("int4", Integer.MIN_VALUE, "-2147483648"),
            new Case("int4", Integer.MAX_VALUE, "2147483647"),
            new Case("int8", Long.MIN_VALUE, "-9223372036854775808"),
            new Case("int8", Long.MAX_VALUE, "9223372036854775807"),
            new Case("float4", 1.5f, "1.5"),
            new Case("float4", Float.NaN, "NaN"),
            new Case("float4", Float.POSITIVE_INFINITY, "Infinity"),
            new Case("float8", 0.1, "0.1"),
            new Case("float8", 1e308, "1e+308"),
            new Case("float8", Double.NEGATIVE_INFINITY, "-Infinity"),
            new Case("float8", Double.NaN, "NaN"),
            new Case("numeric", new BigDecimal("123.4500"), "123.4500"),
            new Case("numeric", new BigDecimal("-0.001"), "-0.001"),
            new Case("numeric", new BigDecimal("1" + "0".repeat(40)), "1" + "0".repeat(40)),
            new Case("numeric", new BigDecimal("0.000000000000000000001234"), "0.000000000000000000001234"),
            new Case("text", "naïve ☃ 𝄞 日本語", "naïve ☃ 𝄞 日本語"),
            new Case("text", "", ""),
            new Case("text", "quote' dq\" bs\\ nl\n", "quote' dq\" bs\\ nl\n"),
            new Case("varchar", "abc", "abc"),
            new Case("bytea", new byte[] {0, 1, (byte) 255}, "\\x0001ff"),
            new Case("uuid", UUID.fromString("0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f"), "0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f"),
            new Case("date", LocalDate.of(2026, 11, 24), "2026-11-24"),
            new Case("date", LocalDate.of(-43, 3, 15), "0044-03-15 BC"),
            new Case("date", LocalDate.of(5874897, 12, 31), "5874897-12-31"),
            new Case("time", LocalTime.of(23, 59, 59, 999_999_000), "23:59:59.999999"),
            new Case("time", LocalTime.MIDNIGHT, "00:00:00"),
            new Case("timetz", OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHours(5)), "10:00:00+05"),
            new Case("timetz", OffsetTime.of(10, 0, 0, 0, ZoneOffset.ofHoursMinutes(-3, -30)), "10:00:00-03:30"),
            new Case("timestamp", LocalDateTime.of(2026, 11, 24, 9, 30, 0, 500_000_000), "2026-11-24 09:30:00.5"),
            new Case("timestamp", LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000), "294276-12-31 23:59:59.999999"),
            new Case("timestamp", LocalDateTime.of(-4712, 1, 1, 0, 0), "4713-01-01 00:00:00 BC"),
            new Case("timestamptz", OffsetDateTime.parse("2026-11-24T09:30:00.5Z"), "2026-11-24 09:30:00.5+00"),
            new Case("interval", new Interval(14, 3, 3_723_000_004L), "1 year 2 mons 3 days 01:02:03.000004"),
            new Case("interval", new Interval(0, 0, -1), "-00:00:00.000001"),
            // json loads as its text unless a JsonMapper is registered (no JSON library in core)
            new Case("json", new Json("{\"a\": [1, 2]}"), "{\"a\": [1, 2]}", "{\"a\": [1, 2]}"),
            new Case("jsonb", new Jsonb("{\"a\": 1}"), "{\"a\": 1}", "{\"a\": 1}"),
            new Case("inet", Inet.parse("192.168.0.1/24"), "192.168.0.1/24"),
            new Case("inet", Inet.parse("::1"), "::1/128"), // inet's text() always shows the mask
            new Case("int4[]", List.of(1, 2, 3), "{1,2,3}"),
            new Case("text[]", Arrays.asList("a b", null, "q\"", "NULL", ""), "{\"a b\",NULL,\"q\\\"\",\"NULL\",\"\"}"),
            new Case("int4[]", List.of(List.of(1, 2), List.of(3, 4)), "{{1,2},{3,4}}"),
            new Case("int8[]", List.of(), "{}"),
            new Case("date[]", List.of(LocalDate.of(2026, 1, 2)), "{2026-01-02}"));

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
        conn.execute("SET TimeZone = 'UTC'");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void javaValuesReachTheServerAsItsOwnTextInEveryFormat() {
        List<String> failures = new ArrayList<>();
        for (Case c : CASES) {
            for (String placeholder : List.of("%s", "%t", "%b")) {
                try {
                    String got = conn.execute("SELECT (" + placeholder + "::" + c.type + ")::text", c.value).fetchone().getString(0);
                    if (!c.text.equals(got)) {
                        failures.add(c.type + " " + placeholder + " " + c.value + ": server read " + got + ", expected " + c.text);
                    }
                } catch (RuntimeException e) {
                    failures.add(c.type + " " + placeholder + " " + c.value + ": " + e);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void serverValuesLoadAsTheJavaValueInTextAndBinary() {
        List<String> failures = new ArrayList<>();
        for (Case c : CASES) {
            for (boolean binary : List.of(false, true)) {
                try {
                    Object got = conn.execute("SELECT " + Literal.quote(c.text, conn) + "::" + c.type, List.of(),
                            ExecuteOptions.builder().binary(binary).build()).fetchone().get(0);
                    if (!sameValue(c.loaded, got)) {
                        failures.add(c.type + (binary ? " binary " : " text ") + c.text + ": loaded " + describe(got)
                                + ", expected " + describe(c.loaded));
                    }
                } catch (RuntimeException e) {
                    failures.add(c.type + (binary ? " binary " : " text ") + c.text + ": " + e);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static boolean sameValue(Object expected, Object got) {
        if (expected instanceof Float f && got instanceof Float g) {
            return Float.compare(f, g) == 0;
        }
        if (expected instanceof Double d && got instanceof Double g) {
            return Double.compare(d, g) == 0;
        }
        if (expected instanceof OffsetDateTime e && got instanceof OffsetDateTime g) {
            return e.isEqual(g);
        }
        return java.util.Objects.deepEquals(expected, got);
    }

    private static String describe(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName() + " " + (o instanceof byte[] b ? Arrays.toString(b) : o);
    }

    @Test
    void midnightAtTheEndOfTheDayLoadsAsLocalTimeMax() {
        for (boolean binary : List.of(false, true)) {
            Object got = conn.execute("SELECT '24:00:00'::time", List.of(), ExecuteOptions.builder().binary(binary).build())
                    .fetchone().get(0);
            assertThat(got).as(binary ? "binary" : "text").isEqualTo(LocalTime.MAX);
        }
    }

    @Test
    void aNulByteInTextIsRefusedClearly() {
        assertThatThrownBy(() -> conn.execute("SELECT %s::text", "a\0b")).isInstanceOf(DataException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void timestamptzFollowsTheSessionTimeZone() {
        conn.execute("SET TimeZone = 'Asia/Kolkata'");
        for (boolean binary : List.of(false, true)) {
            OffsetDateTime got = (OffsetDateTime) conn.execute("SELECT '2026-11-24 09:30:00+00'::timestamptz", List.of(),
                    ExecuteOptions.builder().binary(binary).build()).fetchone().get(0);
            assertThat(got).as(binary ? "binary" : "text").isEqualTo(OffsetDateTime.parse("2026-11-24T15:00:00+05:30"));
        }
        assertThat(conn.execute("SELECT %s::text", OffsetDateTime.parse("2026-11-24T09:30:00Z")).fetchone().getString(0))
                .isEqualTo("2026-11-24 15:00:00+05:30");
    }

    @Test
    void infinityAndNanNeedAnOptIn() {
        assertThatThrownBy(() -> conn.execute("SELECT 'infinity'::date").fetchone().get(0)).isInstanceOf(DataException.class)
                .hasMessageContaining("infinity");
        assertThatThrownBy(() -> conn.execute("SELECT 'NaN'::numeric").fetchone().get(0)).isInstanceOf(DataException.class)
                .hasMessageContaining("NaN");
        assertThat(conn.execute("SELECT 'NaN'::numeric").fetchone().getDouble(0)).isNaN();
    }

    @Test
    void arraysWithLowerBoundsAndNullsLoad() {
        for (boolean binary : List.of(false, true)) {
            Object got = conn.execute("SELECT '[2:3]={7,NULL}'::int4[], '{{a,b},{c,NULL}}'::text[]", List.of(),
                    ExecuteOptions.builder().binary(binary).build()).fetchone().get(1);
            assertThat(got).isEqualTo(List.of(List.of("a", "b"), Arrays.asList("c", null)));
            Object bounded = conn.execute("SELECT '[2:3]={7,NULL}'::int4[]", List.of(),
                    ExecuteOptions.builder().binary(binary).build()).fetchone().get(0);
            assertThat(bounded).isEqualTo(Arrays.asList(7, null));
        }
    }
}
