package dev.tusk.types;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's type findings, ported from psycopg's own tests ({@code tests/types/test_*.py}, {@code tests/test_sql.py})
 * and run on both drivers, text and binary results: IPv4-mapped inet, empty lists into typed array columns,
 * geometric types, pg_lsn, MAC addresses, the java.time/java.net getters, anonymous records, SQL.NULL/DEFAULT.
 */
@Timeout(120)
@TuskTest
class PsycopgParityTypesTest {
    /** One driver: runs a statement and gives its rows. */
    private interface Driver {
        List<Row> rows(String sql, List<?> params, boolean binary);

        void executemany(String sql, List<List<?>> paramSets);

        String asString(SQL sql);

        /** The description of {@code sql}'s result, with the statement's own result format. */
        List<dev.tusk.Column> describe(String sql, boolean binary);

        /** The driver's connection, as an adapt context. */
        dev.tusk.adapt.AdaptContext context();
    }

    private Connection<Row> blocking;
    private AsyncConnection<Row> async;
    private final List<Driver> drivers = new ArrayList<>();

    @BeforeEach
    void open(TestDatabase db) {
        blocking = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
        async = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        drivers.add(new Driver() {
            @Override
            public List<Row> rows(String sql, List<?> params, boolean binary) {
                var cur = blocking.execute(sql, params, ExecuteOptions.builder().binary(binary).build());
                return cur.description() == null ? List.of() : cur.fetchall();
            }

            @Override
            public void executemany(String sql, List<List<?>> paramSets) {
                blocking.cursor().executemany(sql, paramSets);
            }

            @Override
            public String asString(SQL sql) {
                return sql.asString(blocking);
            }

            @Override
            public List<dev.tusk.Column> describe(String sql, boolean binary) {
                return blocking.execute(sql, List.of(), ExecuteOptions.builder().binary(binary).build()).description();
            }

            @Override
            public dev.tusk.adapt.AdaptContext context() {
                return blocking;
            }

            @Override
            public String toString() {
                return "blocking";
            }
        });
        drivers.add(new Driver() {
            @Override
            public List<Row> rows(String sql, List<?> params, boolean binary) {
                var cur = join(async.execute(sql, params, ExecuteOptions.builder().binary(binary).build()));
                return cur.description() == null ? List.of() : cur.fetchall();
            }

            @Override
            public void executemany(String sql, List<List<?>> paramSets) {
                join(async.cursor().executemany(sql, paramSets));
            }

            @Override
            public String asString(SQL sql) {
                return sql.asString(async);
            }

            @Override
            public List<dev.tusk.Column> describe(String sql, boolean binary) {
                return join(async.execute(sql, List.of(), ExecuteOptions.builder().binary(binary).build())).description();
            }

            @Override
            public dev.tusk.adapt.AdaptContext context() {
                return async;
            }

            @Override
            public String toString() {
                return "async";
            }
        });
    }

    @AfterEach
    void close() {
        if (blocking != null) {
            blocking.close();
        }
        if (async != null) {
            async.closeAsync().join();
        }
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static Object one(Driver d, boolean binary, String sql, Object... params) {
        return d.rows(sql, Arrays.asList(params), binary).get(0).get(0);
    }

    private static Row row(Driver d, boolean binary, String sql, Object... params) {
        return d.rows(sql, Arrays.asList(params), binary).get(0);
    }

    // ---- item 4: IPv4-mapped inet (test_net.py: test_inet_load_address, test_inet_load_network,
    //      test_cidr_load, test_interface_dump, test_network_dump with "::ffff:102:300") ----

    @Test
    void ipv4MappedInetStaysIpv6AndRoundTripsInTextAndBinary() throws Exception {
        Inet mapped = Inet.parse("::ffff:102:300");
        assertThat(mapped.address()).isInstanceOf(Inet6Address.class);
        assertThat(mapped.prefix()).isEqualTo(128);
        assertThat(mapped.toString()).isEqualTo("::ffff:1.2.3.0");
        assertThat(Inet.parse("::ffff:1.2.3.0")).isEqualTo(mapped);
        assertThat(Inet.parse("1.2.3.0")).isNotEqualTo(mapped);
        for (Driver d : drivers) {
            for (boolean binary : List.of(false, true)) {
                String where = d + (binary ? " binary" : " text");
                assertThat(one(d, binary, "SELECT '::ffff:102:300'::inet")).as(where).isEqualTo(mapped);
                assertThat(one(d, binary, "SELECT array[null, '::ffff:102:300'::inet]")).as(where)
                        .isEqualTo(Arrays.asList(null, mapped));
                assertThat(one(d, binary, "SELECT '::ffff:102:300/127'::inet")).as(where)
                        .isEqualTo(Inet.parse("::ffff:102:300/127"));
                assertThat(one(d, binary, "SELECT '::ffff:102:300/128'::cidr")).as(where).isEqualTo(mapped);
                for (String ph : List.of("%s", "%t", "%b")) {
                    Object back = one(d, binary, "SELECT '::ffff:102:300'::inet");
                    assertThat(one(d, binary, "SELECT " + ph + " = '::ffff:102:300'::inet AND family(" + ph + ") = 6",
                            back, back)).as(where + " " + ph).isEqualTo(true);
                    assertThat(one(d, binary, "SELECT " + ph + " = '::ffff:102:300/127'::inet",
                            Inet.parse("::ffff:102:300/127"))).as(where + " " + ph).isEqualTo(true);
                }
                // a plain IPv4 address is still IPv4
                assertThat(one(d, binary, "SELECT '1.2.3.0'::inet")).as(where).isEqualTo(new Inet(InetAddress.getByName("1.2.3.0"), 32));
            }
        }
    }

    // ---- item 6: empty lists (test_array.py: test_dump_empty_list, test_empty_list, test_empty_list_mix,
    //      test_empty_list_after_choice) ----

    @Test
    void anEmptyListFitsBigintDateAndFloatArrayColumnsInEveryFormat() {
        blocking.execute("CREATE TABLE empty_lists (id serial PRIMARY KEY, b bigint[], d date[], f float8[])");
        for (Driver d : drivers) {
            for (String ph : List.of("%s", "%t", "%b")) {
                Row r = row(d, false, "INSERT INTO empty_lists (b, d, f) VALUES (" + ph + ", " + ph + ", " + ph
                        + ") RETURNING id, b, d, f", List.of(), List.of(), new ArrayList<>());
                assertThat(r.values().subList(1, 4)).as(d + " " + ph).containsExactly(List.of(), List.of(), List.of());
                int id = r.getInt(0);
                assertThat(d.rows("SELECT d FROM empty_lists WHERE id = any(" + ph + ")", List.of(List.of(id)), true))
                        .as(d + " " + ph).hasSize(1);
                assertThat(d.rows("SELECT d FROM empty_lists WHERE id = any(" + ph + ")", List.of(List.of()), true))
                        .as(d + " " + ph).isEmpty();
                assertThat(one(d, true, "SELECT " + ph + "::int4[] = '{}'::int4[] AND " + ph + "::text[] = '{}'",
                        List.of(), List.of())).as(d + " " + ph).isEqualTo(true);
                // test_empty_list_mix: a typed list beside an empty one
                assertThat(row(d, true, "INSERT INTO empty_lists (b, f) VALUES (" + ph + ", " + ph + ") RETURNING b, f",
                        List.of(1L, 2L), List.of()).values()).as(d + " " + ph).containsExactly(List.of(1L, 2L), List.of());
                // test_empty_list_after_choice: executemany, a float list then an empty one
                blocking.execute("TRUNCATE empty_lists");
                d.executemany("INSERT INTO empty_lists (f) VALUES (" + ph + ")", List.of(List.of(List.of(1.0)), List.of(List.of())));
                assertThat(d.rows("SELECT f FROM empty_lists ORDER BY id", List.of(), false).stream().map(x -> x.get(0)))
                        .as(d + " " + ph).containsExactly(List.of(1.0), List.of());
            }
        }
    }

    // ---- geometric types (psycopg loads them as str: no psycopg test; PostgreSQL's geometric I/O) ----

    @Test
    void geometricTypesLoadAndDumpInTextAndBinary() {
        record Geo(String type, String literal, Object value) {
        }
        Point p12 = new Point(1, 2);
        Point p34 = new Point(3.5, -4);
        List<Geo> cases = List.of(
                new Geo("point", "(1,2)", p12),
                new Geo("point", "(1e+300,-0.000001)", new Point(1e300, -1e-6)),
                new Geo("point", "(Infinity,NaN)", new Point(Double.POSITIVE_INFINITY, Double.NaN)),
                new Geo("line", "{1,-1,0.5}", new Line(1, -1, 0.5)),
                new Geo("lseg", "[(1,2),(3.5,-4)]", new Lseg(p12, p34)),
                new Geo("box", "(1,2),(3.5,-4)", new Box(new Point(3.5, 2), new Point(1, -4))),
                new Geo("path", "[(1,2),(3.5,-4)]", new Path(List.of(p12, p34), false)),
                new Geo("path", "((1,2),(3.5,-4),(0,0))", new Path(List.of(p12, p34, new Point(0, 0)), true)),
                new Geo("polygon", "((1,2),(3.5,-4),(0,0))", new Polygon(List.of(p12, p34, new Point(0, 0)))),
                new Geo("circle", "<(1,2),3.5>", new Circle(p12, 3.5)));
        List<String> failures = new ArrayList<>();
        for (Driver d : drivers) {
            for (boolean binary : List.of(false, true)) {
                for (Geo g : cases) {
                    String where = d + (binary ? " binary " : " text ") + g.type + " " + g.literal;
                    try {
                        Object got = one(d, binary, "SELECT '" + g.literal + "'::" + g.type);
                        if (!g.value.equals(got)) {
                            failures.add(where + ": loaded " + got);
                        }
                        for (String ph : List.of("%s", "%t", "%b")) {
                            Object same = one(d, binary, "SELECT (" + ph + "::" + g.type + ")::text = ('" + g.literal + "'::"
                                    + g.type + ")::text", g.value);
                            if (!Boolean.TRUE.equals(same)) {
                                failures.add(where + " " + ph + ": the server read another value");
                            }
                        }
                    } catch (RuntimeException e) {
                        failures.add(where + ": " + e);
                    }
                }
                String where = d + (binary ? " binary" : " text");
                // arrays, box's with its ';' delimiter
                assertThat(one(d, binary, "SELECT '{\"(1,2)\",NULL,\"(3.5,-4)\"}'::point[]")).as(where)
                        .isEqualTo(Arrays.asList(p12, null, p34));
                assertThat(one(d, binary, "SELECT '{(1,2),(3,4);(0,0),(-1,-1)}'::box[]")).as(where)
                        .isEqualTo(List.of(new Box(new Point(3, 4), p12), new Box(new Point(0, 0), new Point(-1, -1))));
                assertThat(one(d, binary, "SELECT (%s::box[])::text = ('{(1,2),(3,4);(0,0),(-1,-1)}'::box[])::text",
                        List.of(new Box(p12, new Point(3, 4)), new Box(new Point(-1, -1), new Point(0, 0))))).as(where)
                        .isEqualTo(true);
            }
        }
        assertThat(failures).isEmpty();
        assertThatThrownBy(() -> Point.parse("(1,2,3)")).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> Circle.parse("<(1,2),x>")).isInstanceOf(DataException.class);
    }

    // ---- pg_lsn and macaddr (psycopg loads both as str) ----

    @Test
    void pgLsnLoadsComparesAndDumps() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16B374D848L);
        assertThat(lsn.toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("FFFFFFFF/0")).isGreaterThan(lsn); // unsigned order
        assertThat(lsn.plus(8).toString()).isEqualTo("16/B374D850");
        assertThatThrownBy(() -> Lsn.parse("16B374D848")).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> Lsn.parse("-1/0")).isInstanceOf(DataException.class);
        for (Driver d : drivers) {
            for (boolean binary : List.of(false, true)) {
                String where = d + (binary ? " binary" : " text");
                assertThat(one(d, binary, "SELECT 'FFFFFFFF/FFFFFFFF'::pg_lsn")).as(where).isEqualTo(new Lsn(-1L));
                assertThat(one(d, binary, "SELECT '16/B374D848'::pg_lsn")).as(where).isEqualTo(lsn);
                assertThat(row(d, binary, "SELECT pg_current_wal_lsn()").get(0, Lsn.class)).as(where)
                        .isGreaterThan(Lsn.INVALID);
                for (String ph : List.of("%s", "%t", "%b")) {
                    assertThat(one(d, binary, "SELECT " + ph + " = '16/B374D848'::pg_lsn AND " + ph + " > '16/B374D847'",
                            lsn, lsn)).as(where + " " + ph).isEqualTo(true);
                }
            }
        }
    }

    @Test
    void macAddressesAreStringsAndMacAddressOnRequest() {
        MacAddress six = MacAddress.parse("08-00-2B-01-02-03");
        MacAddress eight = MacAddress.parse("0800.2b01.0203.0405");
        assertThat(six.toString()).isEqualTo("08:00:2b:01:02:03");
        assertThat(eight.length()).isEqualTo(8);
        assertThatThrownBy(() -> MacAddress.parse("08:00:2b")).isInstanceOf(DataException.class);
        for (Driver d : drivers) {
            for (boolean binary : List.of(false, true)) {
                String where = d + (binary ? " binary" : " text");
                Row r = row(d, binary, "SELECT '08:00:2b:01:02:03'::macaddr, '08:00:2b:01:02:03:04:05'::macaddr8");
                assertThat(r.get(0)).as(where).isEqualTo("08:00:2b:01:02:03");
                assertThat(r.get(0, MacAddress.class)).as(where).isEqualTo(six);
                assertThat(r.get(1, MacAddress.class)).as(where).isEqualTo(eight);
                for (String ph : List.of("%s", "%t", "%b")) {
                    assertThat(one(d, binary, "SELECT " + ph + " = '08:00:2b:01:02:03'::macaddr AND pg_typeof(" + ph
                            + ") = 'macaddr'::regtype AND " + ph + " = '08:00:2b:01:02:03:04:05'::macaddr8", six, six, eight))
                            .as(where + " " + ph).isEqualTo(true);
                }
            }
        }
    }

    // ---- Java getters (no psycopg counterpart: datetime/timedelta/ipaddress are its only types) ----

    @Test
    void javaTimeAndNetGettersAreExactOrRefused() throws Exception {
        blocking.execute("SET TimeZone = 'Europe/Rome'");
        join(async.execute("SET TimeZone = 'Europe/Rome'"));
        Instant at = Instant.parse("2026-07-01T10:00:00.123456Z");
        for (Driver d : drivers) {
            for (boolean binary : List.of(false, true)) {
                String where = d + (binary ? " binary" : " text");
                Row r = row(d, binary, "SELECT '2026-07-01 10:00:00.123456+00'::timestamptz, '1 day 02:00:00.5'::interval,"
                        + " '1 year 2 mons 3 days'::interval, '1 mon'::interval, '1 day 00:00:01'::interval,"
                        + " '10.0.0.1'::inet, '10.0.0.0/8'::inet, '::1'::inet, '999999999 days'::interval");
                assertThat(r.get(0, Instant.class)).as(where).isEqualTo(at);
                assertThat(r.get(0, ZonedDateTime.class).toInstant()).as(where).isEqualTo(at);
                assertThat(r.get(0, ZonedDateTime.class).getOffset().getTotalSeconds()).as(where).isEqualTo(7200);
                assertThat(r.get(0, OffsetDateTime.class).toInstant()).as(where).isEqualTo(at);
                assertThat(r.get(1, Duration.class)).as(where).isEqualTo(Duration.ofHours(26).plusMillis(500));
                assertThat(r.get(2, Period.class)).as(where).isEqualTo(Period.of(1, 2, 3));
                assertThatThrownBy(() -> r.get(3, Duration.class)).as(where).isInstanceOf(DataException.class)
                        .hasMessageContaining("months");
                assertThatThrownBy(() -> r.get(4, Period.class)).as(where).isInstanceOf(DataException.class)
                        .hasMessageContaining("time part");
                assertThat(r.get(5, InetAddress.class)).as(where).isEqualTo(InetAddress.getByName("10.0.0.1"));
                assertThatThrownBy(() -> r.get(6, InetAddress.class)).as(where).isInstanceOf(DataException.class)
                        .hasMessageContaining("/8");
                assertThat(r.get(7, InetAddress.class)).as(where).isEqualTo(InetAddress.getByName("::1"));
                assertThat(r.get(8, Duration.class)).as(where).isEqualTo(Duration.ofDays(999_999_999));
                assertThatThrownBy(() -> r.get(0, LocalDate.class)).as(where).isInstanceOf(DataException.class);
                // and each Java value goes back as the type it came from, in both parameter formats
                for (String ph : List.of("%t", "%b")) {
                    assertThat(one(d, binary, "SELECT " + ph + " = '2026-07-01 10:00:00.123456+00'::timestamptz AND "
                                    + ph + " = '2026-07-01 10:00:00.123456+00'::timestamptz AND " + ph + " = '1 day 02:00:00.5'::interval"
                                    + " AND " + ph + " = '1 year 2 mons 3 days'::interval AND " + ph + " = '10.0.0.1'::inet AND "
                                    + ph + " = '::1'::inet",
                            r.get(0, Instant.class), r.get(0, ZonedDateTime.class), r.get(1, Duration.class),
                            r.get(2, Period.class), r.get(5, InetAddress.class), r.get(7, InetAddress.class)))
                            .as(where + " " + ph).isEqualTo(true);
                }
            }
        }
    }

    /** Item 10; psycopg's test_datetime.py::test_dump_interval dumps timedelta.max (999999999 days) as days. */
    @Test
    void aDurationBeyondAnIntervalsTimePartIsADataException() {
        for (Driver d : drivers) {
            for (String ph : List.of("%s", "%t", "%b")) {
                assertThatThrownBy(() -> one(d, false, "SELECT " + ph + "::interval", Duration.ofDays(365L * 300_000)))
                        .as(d + " " + ph).isInstanceOf(DataException.class).hasMessageContaining("does not fit an interval");
                // below the limit: the whole length, in the time part
                assertThat(one(d, false, "SELECT extract(epoch FROM " + ph + "::interval) = 365::bigint * 300 * 86400",
                        Duration.ofDays(365L * 300))).as(d + " " + ph).isEqualTo(true);
            }
        }
    }

    // ---- item 10: anonymous records (test_composite.py: test_load_record, test_load_record_binary,
    //      test_load_different_records_cols) ----

    @Test
    void anonymousRecordsLoadAsArraysOfTheirFields() {
        for (Driver d : drivers) {
            assertThat((Object[]) one(d, false, "SELECT row()")).as(d.toString()).isEmpty();
            assertThat((Object[]) one(d, false, "SELECT row(null)")).as(d.toString()).isEmpty();
            assertThat((Object[]) one(d, false, "SELECT row(null, null)")).as(d.toString()).containsExactly(null, null);
            assertThat((Object[]) one(d, false, "SELECT row(null, '')")).as(d.toString()).containsExactly(null, "");
            assertThat((Object[]) one(d, false, "SELECT row(42, 'foo', 'ba,r', 'ba''z', 'qu\"x')")).as(d.toString())
                    .containsExactly("42", "foo", "ba,r", "ba'z", "qu\"x");
            Object[] bin = (Object[]) one(d, true, "SELECT row(10::int, null::text, 20::float, 'foo'::text, 'bar'::bytea)");
            assertThat(Arrays.asList(bin).subList(0, 4)).as(d.toString()).containsExactly(10, null, 20.0, "foo");
            assertThat((byte[]) bin[4]).as(d.toString()).containsExactly('b', 'a', 'r');
            for (boolean binary : List.of(false, true)) {
                Row r = row(d, binary, "SELECT row('foo'::text), row('bar'::text, 'baz'::text)");
                assertThat((Object[]) r.get(0)).containsExactly("foo");
                assertThat((Object[]) r.get(1)).containsExactly("bar", "baz");
                List<?> arr = (List<?>) one(d, binary, "SELECT array[row(1, 'a'), null]");
                assertThat((Object[]) arr.get(0)).hasSize(2);
                assertThat(arr.get(1)).isNull();
            }
        }
    }

    // ---- SQL.NULL and SQL.DEFAULT (test_sql.py::TestValues) ----

    @Test
    void sqlNullAndDefaultComposeAsTheKeywords() {
        blocking.execute("CREATE TABLE with_default (id int, note text DEFAULT 'dflt')");
        for (Driver d : drivers) {
            assertThat(d.asString(SQL.NULL)).isEqualTo("NULL");
            assertThat(d.asString(SQL.DEFAULT)).isEqualTo("DEFAULT");
        }
        assertThat(SQL.NULL).isInstanceOf(SQL.class).isEqualTo(new SQL("NULL"));
        blocking.execute(new SQL("INSERT INTO with_default VALUES (%s, {})").format(SQL.DEFAULT), 1);
        blocking.execute(new SQL("INSERT INTO with_default VALUES (%s, {})").format(SQL.NULL), 2);
        assertThat(blocking.execute("SELECT note FROM with_default ORDER BY id").fetchall().stream().map(r -> r.get(0)))
                .containsExactly("dflt", null);
    }

    // ---- asBytes() without a connection (test_sql.py: TestSQL/TestLiteral/TestIdentifier::test_as_bytes; psycopg 3.2's
    //      as_bytes(context=None)) ----

    @Test
    void asBytesWithoutAConnectionIsTheUtf8OfTheSqlWithTheGlobalAdapters() {
        List<dev.tusk.sql.Composable> pieces = List.of(
                new SQL("foo"), new SQL("\u20ac"),
                new dev.tusk.sql.Identifier("foo"), new dev.tusk.sql.Identifier("foo", "bar"),
                new dev.tusk.sql.Identifier("fo'o", "ba\"r"), new dev.tusk.sql.Identifier("foo", "\u20ac"),
                new dev.tusk.sql.Literal(null), new dev.tusk.sql.Literal("foo"), new dev.tusk.sql.Literal(42),
                new dev.tusk.sql.Literal(LocalDate.of(2017, 1, 1)), new dev.tusk.sql.Literal("\u20ac it's"),
                new SQL("{}, {}").format(new dev.tusk.sql.Identifier("\u20ac"), new dev.tusk.sql.Literal("100%")));
        assertThat(new SQL("foo").asBytes()).isEqualTo("foo".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(new dev.tusk.sql.Literal(null).asBytes()).isEqualTo("NULL".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(new dev.tusk.sql.Literal("foo").asBytes()).isEqualTo("'foo'".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(new dev.tusk.sql.Identifier("foo", "\u20ac").asBytes())
                .isEqualTo("\"foo\".\"\u20ac\"".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (dev.tusk.sql.Composable c : pieces) {
            byte[] bytes = c.asBytes();
            assertThat(bytes).as(c.toString()).isEqualTo(c.asString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Driver d : drivers) {
                assertThat(bytes).as(d + " " + c).isEqualTo(c.asBytes(d.context()));
            }
        }
        // the server reads the bytes back as the values
        String select = new String(new SQL("SELECT {}, {}, {}").format(new dev.tusk.sql.Literal("\u20ac it's"),
                new dev.tusk.sql.Literal(LocalDate.of(2017, 1, 1)), new dev.tusk.sql.Literal(null)).asBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        for (Driver d : drivers) {
            assertThat(d.rows(select, null, false).get(0).values()).as(d.toString())
                    .containsExactly("\u20ac it's", LocalDate.of(2017, 1, 1), null);
        }
    }

    // ---- Column.typeDisplay() (test_column.py: test_details, test_details_time; psycopg's Column.type_display) ----

    @Test
    void typeDisplayShowsTheNameTheModifierAndArraysAsPsycopg() {
        record Case(String type, Integer precision, Integer scale, Integer displaySize) {
        }
        List<Case> cases = List.of(
                new Case("text", null, null, null), new Case("varchar", null, null, null),
                new Case("varchar(1)", null, null, 1), new Case("varchar(42)", null, null, 42),
                new Case("bpchar(42)", null, null, 42), new Case("varchar(10485760)", null, null, 10485760),
                new Case("int4", null, null, null), new Case("numeric", null, null, null),
                new Case("numeric(10,0)", 10, 0, null), new Case("numeric(10,3)", 10, 3, null),
                new Case("numeric(10,-1)", 10, -1, null), new Case("numeric(1,-1000)", 1, -1000, null),
                new Case("numeric(1,1000)", 1, 1000, null), new Case("numeric(1000,1000)", 1000, 1000, null),
                new Case("time", null, null, null), new Case("timetz", null, null, null),
                new Case("timestamp", null, null, null), new Case("timestamptz", null, null, null),
                new Case("interval", null, null, null),
                new Case("bit(1)", null, null, 1), new Case("bit(42)", null, null, 42),
                new Case("bit(83886080)", null, null, 83886080), new Case("varbit", null, null, null),
                new Case("varbit(1)", null, null, 1), new Case("varbit(42)", null, null, 42),
                new Case("varbit(83886080)", null, null, 83886080));
        for (Driver d : drivers) {
            for (boolean binary : List.of(false, true)) {
                String where = d + (binary ? " binary " : " text ");
                for (Case c : cases) {
                    dev.tusk.Column col = d.describe("SELECT null::" + c.type, binary).get(0);
                    assertThat(col.typeDisplay()).as(where + c.type).isEqualTo(c.type);
                    assertThat(col.precision()).as(where + c.type).isEqualTo(c.precision);
                    assertThat(col.scale()).as(where + c.type).isEqualTo(c.scale);
                    assertThat(col.displaySize()).as(where + c.type).isEqualTo(c.displaySize);
                }
                for (String t : List.of("time", "timetz", "timestamp", "timestamptz", "interval")) { // test_details_time
                    for (int p : new int[] {0, 2, 6}) {
                        dev.tusk.Column col = d.describe("SELECT null::" + t + "(" + p + ")", binary).get(0);
                        assertThat(col.typeDisplay()).as(where + t).isEqualTo(t + "(" + p + ")");
                        assertThat(col.precision()).as(where + t).isEqualTo(p);
                    }
                }
                List<dev.tusk.Column> cols = d.describe("SELECT 3.14::numeric(10,2), 'x'::varchar(20), array[1],"
                        + " '{}'::varchar(20)[], '{}'::numeric(5,1)[], '{}'::timestamptz(3)[], 'x'::\"char\", 'x'::name,"
                        + " '(1,2)'::point, '{}'::point[], row(1), interval '1' day, 'a'::text COLLATE \"C\"", binary);
                assertThat(cols.stream().map(dev.tusk.Column::typeDisplay)).as(where).containsExactly(
                        "numeric(10,2)", "varchar(20)", "int4[]", "varchar(20)[]", "numeric(5,1)[]", "timestamptz(3)[]",
                        "char", "name", "point", "point[]", "record", "interval", "text");
                // an array column reports its elements' modifier, as psycopg (its registry maps the array oid to the element)
                assertThat(cols.get(3).displaySize()).as(where).isEqualTo(20);
                assertThat(cols.get(4).precision()).as(where).isEqualTo(5);
                assertThat(cols.get(4).scale()).as(where).isEqualTo(1);
                assertThat(cols.get(5).precision()).as(where).isEqualTo(3);
            }
        }
        // a type only one connection knows: its oid (as psycopg for an unknown type), its name through that connection
        blocking.execute("CREATE TYPE display_mood AS ENUM ('ok')");
        dev.tusk.adapt.TypeInfo mood = dev.tusk.adapt.TypeInfo.fetch(blocking, "display_mood");
        mood.register(blocking.adapters());
        join(dev.tusk.adapt.TypeInfo.<java.util.concurrent.CompletableFuture<dev.tusk.adapt.TypeInfo>>fetch(async, "display_mood"))
                .register(async.adapters());
        for (Driver d : drivers) {
            List<dev.tusk.Column> cols = d.describe("SELECT 'ok'::display_mood, '{ok}'::display_mood[]", false);
            assertThat(cols.get(0).typeDisplay()).as(d.toString()).isEqualTo(Integer.toString(mood.oid()));
            assertThat(cols.get(1).typeDisplay()).as(d.toString()).isEqualTo(Integer.toString(mood.arrayOid()));
            assertThat(cols.get(0).typeDisplay(d.context())).as(d.toString()).isEqualTo("display_mood");
            assertThat(cols.get(1).typeDisplay(d.context())).as(d.toString()).isEqualTo("display_mood[]");
        }
    }
}
