package dev.tusk;

import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.internal.io.Transport;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The automatic result format (no {@code binary} choice anywhere): once a statement is prepared and its columns
 * known, the columns whose values read exactly the same come in binary, and nothing the user reads changes.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AutomaticResultFormatTest {

    /** SQL expression, and whether the automatic format takes it in binary (with DateStyle ISO). */
    private record Case(String sql, boolean binary) {
    }

    /** Every built-in type, with its edge values; the session's DateStyle is ISO, TimeZone as the test sets it. */
    static final List<Case> CASES = List.of(
            new Case("true", true), new Case("false", true),
            new Case("(-32768)::int2", true), new Case("32767::int2", true), new Case("0::int2", true),
            new Case("(-2147483648)::int4", true), new Case("2147483647::int4", true),
            new Case("(-9223372036854775808)::int8", true), new Case("9223372036854775807::int8", true),
            new Case("0::oid", false), new Case("4294967295::oid", false),
            new Case("1.5::float4", false), new Case("'NaN'::float4", false), new Case("'-Infinity'::float4", false),
            new Case("'-0'::float4", false), new Case("1e-45::float4", false),
            new Case("0.1::float8", false), new Case("1e308::float8", false), new Case("'NaN'::float8", false),
            new Case("'-0'::float8", false), new Case("5e-324::float8", false),
            new Case("123.4500::numeric", true), new Case("(-0.001)::numeric", true),
            new Case("('1' || repeat('0', 40))::numeric", true), new Case("0.000000000000000000001234::numeric", true),
            new Case("'NaN'::numeric", true), new Case("'Infinity'::numeric", true), new Case("'-Infinity'::numeric", true),
            new Case("0::numeric", true), new Case("0.00::numeric", true), new Case("99999999999999999999::numeric", true),
            new Case("(-12345678901234567890.12345)::numeric", true), new Case("42::numeric", true),
            new Case("1.5::numeric(5,2)", true), new Case("1e-400::numeric", true),
            new Case("'naïve ☃ 𝄞 日本語'::text", true), new Case("''::text", true),
            new Case("E'quote'' dq\" bs\\\\ nl\\n'::text", true), new Case("'NaN'::text", true),
            new Case("'123'::text", true), new Case("' 42 '::text", true), new Case("'1e5'::text", true),
            new Case("'t'::text", true), new Case("'99999999999999999999'::text", true),
            new Case("'abc'::varchar", true), new Case("'ab'::char(5)", true), new Case("'pg_class'::name", true),
            new Case("'a'::\"char\"", false), new Case("'\\x0001ff'::bytea", false), new Case("''::bytea", false),
            new Case("'0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f'::uuid", true),
            new Case("'2026-11-24'::date", true), new Case("'0044-03-15 BC'::date", true),
            new Case("'5874897-12-31'::date", true), new Case("'4714-11-24 BC'::date", true),
            new Case("'infinity'::date", true), new Case("'-infinity'::date", true),
            new Case("'23:59:59.999999'::time", true), new Case("'00:00:00'::time", true),
            new Case("'24:00:00'::time", true), new Case("'12:00:00.5'::time", true),
            new Case("'10:00:00+05'::timetz", true), new Case("'10:00:00-03:30'::timetz", true),
            new Case("'24:00:00+00'::timetz", true), new Case("'01:02:03.000004+05:30:15'::timetz", true),
            new Case("'00:00:00-15:59'::timetz", true),
            new Case("'2026-11-24 09:30:00.5'::timestamp", true), new Case("'294276-12-31 23:59:59.999999'::timestamp", true),
            new Case("'4713-01-01 00:00:00 BC'::timestamp", true), new Case("'infinity'::timestamp", true),
            new Case("'-infinity'::timestamp", true), new Case("'1999-12-31 23:59:59.000001'::timestamp", true),
            new Case("'2026-11-24 09:30:00.5+00'::timestamptz", true), new Case("'infinity'::timestamptz", true),
            new Case("'-infinity'::timestamptz", true), new Case("'1850-06-01 12:00:00+00'::timestamptz", true),
            new Case("'1900-01-01 00:00:00+00'::timestamptz", true), new Case("'1937-06-30 23:40:27+00'::timestamptz", true),
            new Case("'1941-01-01 00:00:00.000001+00'::timestamptz", true),
            new Case("'0044-03-15 12:00:00+00 BC'::timestamptz", true), new Case("'4714-11-24 12:00:00+00 BC'::timestamptz", true),
            new Case("'0001-01-01 00:00:00+00'::timestamptz", true), new Case("'0001-12-31 23:59:59+00 BC'::timestamptz", true),
            new Case("'294276-06-30 23:59:59.999999+00'::timestamptz", true),
            new Case("'1999-12-31 23:59:59.000001+00'::timestamptz", true), new Case("'1970-01-01 00:00:00+00'::timestamptz", true),
            new Case("'2026-11-01 05:30:00+00'::timestamptz", true), new Case("'2026-11-01 06:30:00.12+00'::timestamptz", true),
            new Case("'2026-03-08 07:00:00+00'::timestamptz", true), new Case("'2026-03-29 01:00:00+00'::timestamptz", true),
            new Case("'2062-07-04 12:00:00.25+00'::timestamptz", true), new Case("'1960-06-01 12:00:00+00'::timestamptz", true),
            new Case("'1 year 2 mons 3 days 01:02:03.000004'::interval", false), new Case("'-00:00:00.000001'::interval", false),
            new Case("'{\"a\": [1, 2]}'::json", false), new Case("'{\"a\": 1}'::jsonb", false), new Case("'$.a'::jsonpath", false),
            new Case("'192.168.0.1/24'::inet", false), new Case("'::1'::inet", false), new Case("'10.0.0.0/8'::cidr", false),
            new Case("'08:00:2b:01:02:03'::macaddr", false), new Case("'08:00:2b:01:02:03:04:05'::macaddr8", false),
            new Case("12.34::money", false), new Case("B'101'::bit(3)", false), new Case("B'10'::varbit", false),
            new Case("'(1,2)'::point", false), new Case("'{1,2,3}'::line", false), new Case("'[(0,0),(1,1)]'::lseg", false),
            new Case("'(1,1),(0,0)'::box", false), new Case("'[(0,0),(1,1),(2,0)]'::path", false),
            new Case("'((0,0),(1,1),(2,0))'::polygon", false), new Case("'<(0,0),1>'::circle", false),
            new Case("'16/B374D848'::pg_lsn", false), new Case("'<a>b</a>'::xml", false),
            new Case("'[1,10)'::int4range", false), new Case("'(1.5,2.5]'::numrange", false), new Case("'empty'::daterange", false),
            new Case("'[2026-01-01 00:00+00,infinity)'::tstzrange", false), new Case("'{[1,3),[5,7)}'::int4multirange", false),
            new Case("ARRAY[1,2,3]::int4[]", false), new Case("ARRAY['a b', NULL, 'q\"', 'NULL', '']::text[]", false),
            new Case("ARRAY[[1,2],[3,4]]::int4[]", false), new Case("'{}'::int8[]", false),
            new Case("ARRAY['2026-01-02'::date]", false), new Case("ROW(1, 'a')", false),
            new Case("NULL::int4", true), new Case("NULL::text", true), new Case("NULL::numeric", true),
            new Case("NULL::float8", false), new Case("'00000000-0000-0000-0000-000000000000'::uuid", true));

    /** One row holding every case, one column each. */
    static String query() {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < CASES.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(CASES.get(i).sql()).append(" AS c").append(i);
        }
        return sb.toString();
    }

    /** What each getter answers for column {@code i}: its value, or the exception it throws. */
    static List<String> answers(Row r, int i) {
        List<String> out = new ArrayList<>();
        out.add("get " + answer(() -> r.get(i)));
        out.add("getString " + answer(() -> r.getString(i)));
        out.add("getLong " + answer(() -> r.getLong(i)));
        out.add("getInt " + answer(() -> r.getInt(i)));
        out.add("getShort " + answer(() -> r.getShort(i)));
        out.add("getDouble " + answer(() -> r.getDouble(i)));
        out.add("getFloat " + answer(() -> r.getFloat(i)));
        out.add("getBoolean " + answer(() -> r.getBoolean(i)));
        out.add("getBigDecimal " + answer(() -> r.getBigDecimal(i)));
        out.add("getBytes " + answer(() -> r.getBytes(i)));
        out.add("isNull " + answer(() -> r.isNull(i)));
        out.add("get(String) " + answer(() -> r.get(i, String.class)));
        out.add("get(Long) " + answer(() -> r.get(i, Long.class)));
        out.add("get(java.time.Instant) " + answer(() -> r.get(i, java.time.Instant.class)));
        out.add("get(java.time.OffsetDateTime) " + answer(() -> r.get(i, java.time.OffsetDateTime.class)));
        out.add("byName " + answer(() -> r.get("c" + i)) + " " + answer(() -> r.getString("c" + i)));
        Column c = r.columns().get(i);
        out.add("column " + c.name() + " " + c.typeOid() + " " + c.formatCode() + " " + c.typeModifier() + " "
                + c.internalSize() + " " + c.displaySize() + " " + c.precision() + " " + c.scale() + " " + c);
        return out;
    }

    private static String answer(java.util.function.Supplier<Object> getter) {
        try {
            Object v = getter.get();
            if (v == null) {
                return "null";
            }
            return v.getClass().getName() + " " + (v instanceof byte[] b ? Arrays.toString(b)
                    : v instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(v))
                    .replaceAll("(\\[B|\\[Ljava\\.lang\\.Object;)@[0-9a-f]+", "$1@"); // identity hash codes
        } catch (RuntimeException e) {
            return "throws " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static ConnectOptions<Row> options(TestDatabase db, Boolean binary) {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true);
        if (binary != null) {
            b.binary(binary);
        }
        return b.build();
    }

    /** The row of {@link #query()} as the second execution (prepared and described by the first) returns it. */
    private static Row preparedRow(Flavour.Session conn, String zone) {
        conn.rows("SET TimeZone = '" + zone + "'", null, ExecuteOptions.DEFAULT);
        String q = query();
        conn.rows(q, List.of(), ExecuteOptions.DEFAULT);
        return conn.rows(q, List.of(), ExecuteOptions.DEFAULT).get(0);
    }

    /**
     * The session zones the edge values are read under: IANA names (historical offsets in seconds included: Asia/Kolkata
     * +05:53:28 in 1850 and +05:21:10 in 1900, America/St_Johns -03:30:52; Europe/Amsterdam, Brussels' rules before
     * 1970 in today's tzdata, where the JVM's and the server's must agree), POSIX fixed offsets,
     * and zones without an exact Java counterpart (a POSIX form with daylight-saving rules, Java's EST alias),
     * where timestamptz stays in text.
     */
    static final List<String> ZONES = List.of("UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns",
            "Europe/Amsterdam", "Australia/Lord_Howe", "UTC+3", "<+05:30>-05:30", "EST5EDT4,M3.2.0,M11.1.0", "EST");

    /** Whether timestamptz columns come in binary under {@code zone}. */
    static boolean exactZone(String zone) {
        return !zone.startsWith("EST");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void everyBuiltInEdgeValueReadsTheSameInTextBinaryAndAutomatic(Flavour flavour, TestDatabase db) {
        List<String> failures = new ArrayList<>();
        for (String zone : ZONES) {
            try (Flavour.Session text = flavour.open(options(db, false));
                 Flavour.Session binary = flavour.open(options(db, true));
                 Flavour.Session auto = flavour.open(options(db, null))) {
                Row t = preparedRow(text, zone);
                Row b = preparedRow(binary, zone);
                Row a = preparedRow(auto, zone);
                for (int i = 0; i < CASES.size(); i++) {
                    Case c = CASES.get(i);
                    String where = zone + " " + c.sql() + ": ";
                    if (t.columns().get(i).wireFormatCode() != 0 || b.columns().get(i).wireFormatCode() != 1) {
                        failures.add(where + "text and binary were not forced");
                    }
                    boolean binaryExpected = c.binary() && (!c.sql().endsWith("::timestamptz") || exactZone(zone));
                    int expected = binaryExpected ? 1 : 0;
                    if (a.columns().get(i).wireFormatCode() != expected) {
                        failures.add(where + "automatic received format " + a.columns().get(i).wireFormatCode()
                                + ", expected " + expected);
                    }
                    List<String> textAnswers = answers(t, i);
                    List<String> autoAnswers = answers(a, i);
                    for (int k = 0; k < textAnswers.size(); k++) {
                        if (!textAnswers.get(k).equals(autoAnswers.get(k))) {
                            failures.add(where + "automatic " + autoAnswers.get(k) + " / text " + textAnswers.get(k));
                        }
                    }
                    if (binaryExpected) { // the agreement the automatic choice relies on, seen on a forced binary result
                        int col = i;
                        String tv = answer(() -> t.get(col));
                        String bv = answer(() -> b.get(col));
                        if (!tv.equals(bv)) {
                            failures.add(where + "binary loads " + bv + ", text " + tv);
                        }
                    }
                }
                if (!answer(t::values).equals(answer(a::values)) || !answer(t::toString).equals(answer(a::toString))) {
                    failures.add(zone + ": values() or toString() differ");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** Records the result format codes of each Bind written and counts the bytes read. */
    static final class BindRecorder extends ForwardingTransport {
        final List<int[]> resultFormats = new ArrayList<>();
        long bytesRead;

        private BindRecorder(Transport inner) {
            super(inner);
        }

        static BindRecorder attach(Connection<?> conn) {
            BindRecorder r = new BindRecorder(conn.driver().transport());
            conn.driver().transport(r);
            return r;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = inner.read(b, off, len);
            if (n > 0) {
                bytesRead += n;
            }
            return n;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.remaining() >= 5) {
                int start = buf.position();
                byte type = buf.get();
                int l = buf.getInt();
                if (type == 'B') {
                    skipCString(buf);
                    skipCString(buf);
                    int paramFormats = buf.getShort();
                    buf.position(buf.position() + 2 * paramFormats);
                    int params = buf.getShort();
                    for (int p = 0; p < params; p++) {
                        int pl = buf.getInt();
                        buf.position(buf.position() + Math.max(0, pl));
                    }
                    int[] formats = new int[buf.getShort()];
                    for (int k = 0; k < formats.length; k++) {
                        formats[k] = buf.getShort();
                    }
                    resultFormats.add(formats);
                }
                buf.position(start + 1 + l);
            }
            inner.write(b, off, len);
        }

        private static void skipCString(ByteBuffer buf) {
            while (buf.get() != 0) {
                // skip
            }
        }
    }

    private static final String WIDE = "SELECT 1234567890::int4 AS i, 12345.678::numeric AS n, 'x'::text AS t,"
            + " 1.5::float8 AS f FROM generate_series(1, 1000)";

    @Test
    void aPreparedStatementReceivesItsColumnsInBinaryOnTheWire(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).build())) {
            BindRecorder rec = BindRecorder.attach(conn);
            long[] read = new long[8];
            List<Row> last = null;
            for (int i = 0; i < 8; i++) { // prepareThreshold 5: the sixth execution prepares, the seventh knows the columns
                long before = rec.bytesRead;
                List<Row> rows = conn.execute(WIDE, List.of(), i < 7 ? ExecuteOptions.DEFAULT
                        : ExecuteOptions.builder().binary(false).build()).fetchall();
                read[i] = rec.bytesRead - before;
                last = i == 6 ? rows : last;
            }
            assertThat(rec.resultFormats.get(5)).as("the execution that prepares asks for text").containsExactly(0);
            assertThat(rec.resultFormats.get(6)).as("then one format per column").containsExactly(1, 1, 1, 0);
            assertThat(rec.resultFormats.get(7)).as("forced text").containsExactly(0);
            // int4 1234567890: 10 bytes of text, 4 in binary; numeric 12345.678: 9 bytes of text, 14 in binary
            // (three base-10000 digits); text 'x': 1 byte either way. Neither execution sends a Describe.
            assertThat(read[7] - read[6]).as("the bytes of the rows differ by the binary columns")
                    .isEqualTo(1000L * (10 - 4 + 9 - 14));
            Column c = last.get(0).columns().get(0);
            assertThat(c.formatCode()).as("the format asked for").isZero();
            assertThat(c.wireFormatCode()).as("the format received").isEqualTo(1);
            assertThat(last.get(0).columns().get(3).wireFormatCode()).as("float8 stays in text").isZero();
            assertThat(last.get(999).getInt(0)).isEqualTo(1234567890);
            assertThat(last.get(999).getString(1)).isEqualTo("12345.678");
            assertThat(last.get(999).getBigDecimal(1)).isEqualTo(new BigDecimal("12345.678"));
            assertThat(last.get(999).getString(3)).isEqualTo("1.5");
        }
    }

    @Test
    void binaryFalseForcesTextAndBinaryTrueForcesBinary(TestDatabase db) {
        for (Boolean choice : new Boolean[] {false, true}) {
            try (Connection<Row> conn = Connection.connect(options(db, choice))) {
                BindRecorder rec = BindRecorder.attach(conn);
                conn.execute(WIDE, List.of(), ExecuteOptions.DEFAULT);
                conn.execute(WIDE, List.of(), ExecuteOptions.DEFAULT);
                assertThat(rec.resultFormats).allSatisfy(f -> assertThat(f).containsExactly(choice ? 1 : 0));
            }
        }
        try (Connection<Row> conn = Connection.connect(options(db, null))) {
            BindRecorder rec = BindRecorder.attach(conn);
            conn.execute(WIDE, List.of(), ExecuteOptions.DEFAULT);
            conn.execute(WIDE, List.of(), ExecuteOptions.builder().binary(false).build());
            Cursor<Row> cur = conn.cursor();
            cur.setBinary(false);
            cur.execute(WIDE, List.of(), ExecuteOptions.DEFAULT);
            assertThat(rec.resultFormats).as("an execution's or a cursor's false is text")
                    .allSatisfy(f -> assertThat(f).containsExactly(0));
            conn.execute(WIDE, List.of(), ExecuteOptions.DEFAULT);
            assertThat(rec.resultFormats.get(3)).containsExactly(1, 1, 1, 0);
        }
    }

    /** A text loader of the application's: loads int4 as "<n>" strings. */
    private static final Loader<String> ANGLED_INT4 = new Loader<>() {
        @Override
        public String load(ByteBuffer data) {
            return "<" + StandardCharsets.UTF_8.decode(data) + ">";
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aLoaderRegisteredAfterTheStatementWasDescribedKeepsItsColumnInText(Flavour flavour, TestDatabase db) {
        String q = "SELECT 7::int4 AS i, 8::int8 AS l";
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(options(db, null))) {
                conn.execute(q, List.of(), ExecuteOptions.DEFAULT);
                Row r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone();
                assertThat(r.columns().get(0).wireFormatCode()).isEqualTo(1);
                Cursor<Row> cur = conn.cursor();
                cur.adapters().registerLoader(23, ANGLED_INT4);
                r = cur.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone();
                assertThat(r.get(0)).as("the cursor's own loader").isEqualTo("<7>");
                assertThat(r.columns().get(0).wireFormatCode()).isZero();
                assertThat(r.columns().get(1).wireFormatCode()).as("the other column stays binary").isEqualTo(1);
                assertThat(conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone().get(0))
                        .as("the connection's cursors are not affected").isEqualTo(7);
                conn.adapters().registerLoader(23, ANGLED_INT4);
                r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone();
                assertThat(r.get(0)).isEqualTo("<7>");
                assertThat(r.getString(0)).isEqualTo("7");
                assertThat(r.get(1)).isEqualTo(8L);
            }
        } else {
            try (AsyncConnection<Row> conn = AsyncConnection.connect(options(db, null)).join()) {
                conn.execute(q, List.of(), ExecuteOptions.DEFAULT).join();
                Row r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).join().fetchone();
                assertThat(r.columns().get(0).wireFormatCode()).isEqualTo(1);
                conn.adapters().registerLoader(23, ANGLED_INT4);
                r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).join().fetchone();
                assertThat(r.get(0)).isEqualTo("<7>");
                assertThat(r.columns().get(0).wireFormatCode()).isZero();
                assertThat(r.columns().get(1).wireFormatCode()).isEqualTo(1);
            }
        }
    }

    @Test
    void aLoaderRegisteredWhileAPipelinedStatementsRowsAreOnTheirWayReadsTheirText(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db, null))) {
            String q = "SELECT 7::int4 AS i";
            conn.execute(q, List.of(), ExecuteOptions.DEFAULT); // prepared and described
            Cursor<Row> cur = conn.cursor();
            try (Pipeline p = conn.pipeline()) {
                cur.execute(q, List.of(), ExecuteOptions.DEFAULT);
                cur.adapters().registerLoader(23, ANGLED_INT4); // after the Bind asked for binary
                p.sync();
                Row r = cur.fetchone();
                assertThat(r.columns().get(0).wireFormatCode()).as("sent before the registration").isEqualTo(1);
                assertThat(r.get(0)).as("read by the new text loader, as text results would be").isEqualTo("<7>");
                assertThat(r.getString(0)).isEqualTo("7");
                assertThat(r.getInt(0)).isEqualTo(7);
            }
        }
    }

    @Test
    void aBinaryOnlyLoaderOfTheApplicationAlsoKeepsItsColumnInText(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db, null))) {
            conn.adapters().registerLoader(23, new Loader<String>() {
                @Override
                public String load(ByteBuffer data) {
                    return "binary!";
                }

                @Override
                public Format format() {
                    return Format.BINARY;
                }
            });
            String q = "SELECT 7::int4 AS i";
            conn.execute(q, List.of(), ExecuteOptions.DEFAULT);
            Row r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone();
            assertThat(r.get(0)).as("as text would load it").isEqualTo(7);
            assertThat(r.columns().get(0).wireFormatCode()).isZero();
        }
    }

    @Test
    void datesAndTimesStayInTextUnderAnotherDateStyle(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db, null))) {
            String q = "SELECT '2026-11-24'::date AS d, '10:00'::time AS t, 5::int4 AS i";
            conn.execute(q, List.of(), ExecuteOptions.DEFAULT);
            assertThat(conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone().columns().stream()
                    .map(Column::wireFormatCode).toList()).containsExactly(1, 1, 1);
            conn.execute("SET DateStyle = 'German, DMY'");
            Row r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone();
            assertThat(r.columns().stream().map(Column::wireFormatCode).toList()).containsExactly(0, 0, 1);
            assertThat(r.getString(0)).as("the server's text in its DateStyle").isEqualTo("24.11.2026");
            conn.execute("SET DateStyle = 'ISO, DMY'");
            r = conn.execute(q, List.of(), ExecuteOptions.DEFAULT).fetchone();
            assertThat(r.columns().stream().map(Column::wireFormatCode).toList()).containsExactly(1, 1, 1);
            assertThat(r.getString(0)).isEqualTo("2026-11-24");
        }
    }

    private static final String SMALL = "SELECT g::int4 AS i, g::numeric / 4 AS n, 'v' || g AS t, g * 1.5::float8 AS f,"
            + " '2026-01-01'::date + g AS d FROM generate_series(1, %s::int) g";

    private static List<List<String>> everything(List<Row> rows) {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            for (int i = 0; i < r.size(); i++) {
                out.add(answers(r, i));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void pipelinesExecutemanyAndDiscardReadTheSameAsText(Flavour flavour, TestDatabase db) {
        try (Flavour.Session text = flavour.open(options(db, false)); Flavour.Session auto = flavour.open(options(db, null))) {
            for (Flavour.Session s : List.of(text, auto)) { // prepared and described
                s.rows(SMALL, List.of(3), ExecuteOptions.DEFAULT);
            }
            assertThat(everything(auto.rows(SMALL, List.of(3), ExecuteOptions.DEFAULT)))
                    .isEqualTo(everything(text.rows(SMALL, List.of(3), ExecuteOptions.DEFAULT)));
            for (Flavour.Session s : List.of(text, auto)) {
                s.rows("DISCARD ALL", null, ExecuteOptions.DEFAULT);
            }
            for (int k = 0; k < 2; k++) { // prepared again, then described again
                assertThat(everything(auto.rows(SMALL, List.of(4), ExecuteOptions.DEFAULT)))
                        .isEqualTo(everything(text.rows(SMALL, List.of(4), ExecuteOptions.DEFAULT)));
            }
        }
        Function<Boolean, List<List<String>>> manyAndPipeline = binary -> {
            List<List<String>> out = new ArrayList<>();
            try (Connection<Row> conn = Connection.connect(options(db, binary))) {
                conn.execute(SMALL, 2);
                conn.execute(SMALL, 2);
                Cursor<Row> cur = conn.cursor();
                cur.executemany(SMALL, List.of(List.of(1), List.of(2)), true);
                do {
                    out.addAll(everything(cur.fetchall()));
                    if (binary == null) {
                        assertThat(cur.description().get(0).wireFormatCode()).as("executemany returning").isEqualTo(1);
                    }
                } while (cur.nextset());
                try (Pipeline p = conn.pipeline()) {
                    Cursor<Row> c1 = conn.execute(SMALL, 2);
                    Cursor<Row> c2 = conn.execute(SMALL, 3);
                    p.sync();
                    out.addAll(everything(c1.fetchall()));
                    out.addAll(everything(c2.fetchall()));
                    if (binary == null) {
                        assertThat(c2.description().get(2).wireFormatCode()).as("in a pipeline").isEqualTo(1);
                    }
                }
            }
            try (AsyncConnection<Row> conn = AsyncConnection.connect(options(db, binary)).join()) {
                conn.execute(SMALL, 2).join();
                AsyncCursor<Row> cur = conn.cursor();
                cur.executemany(SMALL, List.of(List.of(1), List.of(2)), true).join();
                do {
                    out.addAll(everything(cur.fetchall()));
                } while (cur.nextset());
            }
            return out;
        };
        assertThat(manyAndPipeline.apply(null)).isEqualTo(manyAndPipeline.apply(false));
    }

    private static final String TZ_Q = "SELECT '1900-01-01 00:00:00+00'::timestamptz AS old,"
            + " '2026-07-01 12:00:00.5+00'::timestamptz AS recent, 1::int4 AS i";

    private static List<List<String>> tzAnswers(Row r) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            out.add(answers(r, i).subList(0, 16));
        }
        return out;
    }

    @Test
    void aRowReadAfterTheSessionsTimeZoneChangedShowsTheZoneItCameUnder(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(options(db, null))) {
            conn.execute("SET TimeZone = 'Asia/Kolkata'");
            conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT); // prepared and described
            Row r = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).fetchone();
            assertThat(r.columns().stream().map(Column::wireFormatCode).toList()).containsExactly(1, 1, 1);
            conn.execute("SET TimeZone = 'America/St_Johns'");
            assertThat(r.getString(0)).as("Madras time, +05:21:10, in 1900").isEqualTo("1900-01-01 05:21:10+05:21:10");
            assertThat(r.get(0)).isEqualTo(java.time.OffsetDateTime.parse("1900-01-01T05:21:10+05:21:10"));
            assertThat(r.getString(1)).isEqualTo("2026-07-01 17:30:00.5+05:30");
            Row s = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).fetchone();
            assertThat(s.columns().get(0).wireFormatCode()).isEqualTo(1);
            assertThat(s.getString(0)).isEqualTo("1899-12-31 20:29:08-03:30:52");
            assertThat(s.getString(1)).isEqualTo("2026-07-01 09:30:00.5-02:30");
            assertThat(r.getString(0)).as("the first row still").isEqualTo("1900-01-01 05:21:10+05:21:10");
        }
    }

    @Test
    void setTimeZoneBetweenTheStatementsOfOnePipelineReadsAsText(TestDatabase db) {
        Function<Boolean, List<List<List<String>>>> run = binary -> {
            List<List<List<String>>> out = new ArrayList<>();
            try (Connection<Row> conn = Connection.connect(options(db, binary))) {
                conn.execute("SET TimeZone = 'Asia/Kolkata'");
                conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT);
                conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT);
                try (Pipeline p = conn.pipeline()) {
                    conn.execute("SET TimeZone = 'Asia/Tokyo'");
                    Cursor<Row> c1 = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT);
                    conn.execute("SET TimeZone = 'Europe/Amsterdam'");
                    Cursor<Row> c2 = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT);
                    conn.execute("SET TimeZone = 'America/St_Johns'");
                    p.sync();
                    Row r1 = c1.fetchone();
                    Row r2 = c2.fetchone();
                    out.add(tzAnswers(r1));
                    out.add(tzAnswers(r2));
                    if (binary == null) {
                        assertThat(r1.getString(0)).isEqualTo("1900-01-01 09:00:00+09");
                        assertThat(r2.getString(0)).as("Amsterdam is Brussels before 1970 in tzdata 2022b+").isEqualTo("1900-01-01 00:00:00+00");
                        assertThat(r2.getString(1)).isEqualTo("2026-07-01 14:00:00.5+02");
                    }
                }
                Row after = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).fetchone();
                out.add(tzAnswers(after));
                if (binary == null) {
                    assertThat(after.columns().get(0).wireFormatCode()).as("out of the pipeline").isEqualTo(1);
                    assertThat(after.getString(0)).isEqualTo("1899-12-31 20:29:08-03:30:52");
                }
            }
            return out;
        };
        assertThat(run.apply(null)).isEqualTo(run.apply(false));
    }

    @Test
    void statementsInFlightOnAnAsyncConnectionShowTheZoneTheirRowsCameUnder(TestDatabase db) {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(options(db, null)).join();
             Connection<Row> text = Connection.connect(options(db, false))) {
            conn.execute("SET TimeZone = 'Asia/Kolkata'").join();
            conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).join();
            var f1 = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT);
            var f2 = conn.execute("SET TimeZone = 'Asia/Tokyo'");
            var f3 = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT); // may be sent before the ParameterStatus of the SET arrives
            var f4 = conn.execute("SET TimeZone = 'EST5EDT4,M3.2.0,M11.1.0'");
            var f5 = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT);
            Row r1 = f1.join().fetchone();
            f2.join();
            Row r3 = f3.join().fetchone();
            f4.join();
            Row r5 = f5.join().fetchone();
            assertThat(r1.columns().get(0).wireFormatCode()).isEqualTo(1);
            text.execute("SET TimeZone = 'Asia/Kolkata'");
            assertThat(tzAnswers(r1)).isEqualTo(tzAnswers(text.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).fetchone()));
            text.execute("SET TimeZone = 'Asia/Tokyo'");
            assertThat(tzAnswers(r3)).isEqualTo(tzAnswers(text.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).fetchone()));
            text.execute("SET TimeZone = 'EST5EDT4,M3.2.0,M11.1.0'");
            Row t5 = text.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).fetchone();
            if (r5.columns().get(0).wireFormatCode() == 1) { // asked for binary under Tokyo, came under a POSIX rule
                assertThatThrownBy(() -> r5.get(0)).isInstanceOf(dev.tusk.errors.DataException.class)
                        .hasMessageContaining("EST5EDT4,M3.2.0,M11.1.0").hasMessageContaining("binary(false)");
                assertThatThrownBy(() -> r5.getString(1)).isInstanceOf(dev.tusk.errors.DataException.class);
            } else {
                assertThat(tzAnswers(r5)).isEqualTo(tzAnswers(t5));
            }
            Row r6 = conn.execute(TZ_Q, List.of(), ExecuteOptions.DEFAULT).join().fetchone();
            assertThat(r6.columns().stream().map(Column::wireFormatCode).toList())
                    .as("a zone without an exact Java zone: text").containsExactly(0, 0, 1);
            assertThat(tzAnswers(r6)).isEqualTo(tzAnswers(t5));
            assertThat(r6.getString(1)).isEqualTo("2026-07-01 08:00:00.5-04");
        }
    }
}
