package dev.tusk.sql;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.ServerCursor;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Composed queries against a real server: hostile names and values reach it unchanged and never
 * change the statement.
 */
@TuskTest
class SqlServerTest {
    private Connection<Row> conn;

    static final List<String> HOSTILE = new ArrayList<>(HostileValuesTest.HOSTILE);

    static {
        HOSTILE.addAll(List.of("naïve ☃ 𝄞 日本語", "", " ", "a\\nb", "\\\\", "100%", "%s", "%(x)s"));
    }

    @BeforeEach
    void connect(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private String selectText(Composable q, Object... params) {
        return conn.execute(q, params).fetchone().getString(0);
    }

    @Test
    void hostileLiteralsRoundTripWithoutParameters() {
        for (String s : HOSTILE) {
            Cursor<Row> cur = conn.execute(new SQL("SELECT {}::text AS v, 'after' AS marker").format(s));
            Row r = cur.fetchone();
            assertThat(r.getString(0)).as(Quoting.javaString(s)).isEqualTo(s);
            assertThat(r.getString(1)).isEqualTo("after");
            assertThat(cur.fetchone()).isNull();
        }
    }

    @Test
    void hostileLiteralsRoundTripNextToParameters() {
        for (String s : HOSTILE) {
            Row r = conn.execute(new SQL("SELECT {}::text, {}::int").format(s, new Placeholder()), 7).fetchone();
            assertThat(r.getString(0)).as(Quoting.javaString(s)).isEqualTo(s);
            assertThat(r.getInt(1)).isEqualTo(7);
        }
    }

    @Test
    void backslashLiteralsMeanTheSameWithStandardConformingStringsOff() {
        conn.execute("SET standard_conforming_strings = off");
        conn.execute("SET escape_string_warning = off");
        for (String s : List.of("C:\\dir", "\\'; DROP TABLE x; --", "\\", "a\\nb", "plain 'q'")) {
            assertThat(selectText(new SQL("SELECT {}::text").format(s))).isEqualTo(s);
        }
        byte[] bytes = {0, 1, 39, 92, (byte) 0xff};
        assertThat(selectText(new SQL("SELECT encode({}, 'hex')").format((Object) bytes))).isEqualTo("0001275cff");
    }

    @Test
    void byteaRoundTrips() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) i;
        }
        assertThat(selectText(new SQL("SELECT encode({}, 'hex')").format((Object) bytes)))
                .isEqualTo(HexFormat.of().formatHex(bytes));
    }

    @Test
    void numbersAndSpecialFloats() {
        assertThat(selectText(new SQL("SELECT (5-{})::text").format(-1))).isEqualTo("6");
        assertThat(selectText(new SQL("SELECT ({})::text").format(Long.MIN_VALUE))).isEqualTo(Long.toString(Long.MIN_VALUE));
        assertThat(selectText(new SQL("SELECT CAST({} AS text)").format(new BigDecimal("-12.3400")))).isEqualTo("-12.3400");
        // a cast binds tighter than unary minus: "-1::text" is -(1::text); see the Literal Javadoc
        assertThatThrownBy(() -> selectText(new SQL("SELECT {}::text").format(-1))).isInstanceOf(ProgrammingException.class);
        // where only a signed constant is allowed (SET, sequence options) a negative number works as written
        conn.execute(new SQL("SET extra_float_digits = {}").format(-2));
        assertThat(conn.execute("SHOW extra_float_digits").fetchone().getString(0)).isEqualTo("-2");
        conn.execute(new SQL("CREATE TEMP SEQUENCE neg_seq MINVALUE {} START {}").format(-10, -5));
        assertThat(conn.execute("SELECT nextval('neg_seq')").fetchone().getLong(0)).isEqualTo(-5);
        assertThat(selectText(new SQL("SELECT ({} = 1e20)::text").format(1e20))).isEqualTo("true");
        assertThat(selectText(new SQL("SELECT {}::text, {}::text, {}::text")
                .format(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY))).isEqualTo("NaN");
        Row r = conn.execute(new SQL("SELECT pg_typeof({})::text, {}::text, pg_typeof({})::text")
                .format(Double.NaN, Float.NEGATIVE_INFINITY, Float.NaN)).fetchone();
        assertThat(r.getString(0)).isEqualTo("double precision");
        assertThat(r.getString(1)).isEqualTo("-Infinity");
        assertThat(r.getString(2)).isEqualTo("real");
        assertThat(selectText(new SQL("SELECT {}::text || {}::text").format(true, new Literal(null)))).isNull();
        assertThat(selectText(new SQL("SELECT ({} AND NOT {})::text").format(true, false))).isEqualTo("true");
    }

    @Test
    void arrays() {
        assertThat(selectText(new SQL("SELECT {}::text").format(List.of(1, -2, 3)))).isEqualTo("{1,-2,3}");
        assertThat(selectText(new SQL("SELECT {}::text").format((Object) new String[] {"a'b", "c\\d", "\""})))
                .isEqualTo("{a'b,\"c\\\\d\",\"\\\"\"}");
        assertThat(selectText(new SQL("SELECT cardinality({}::int[])::text").format(List.of()))).isEqualTo("0");
    }

    @Test
    void hostileIdentifiersNameRealTables() {
        String schema = "s \"quoted\" ☃";
        conn.execute(new SQL("CREATE SCHEMA {}").format(new Identifier(schema)));
        try {
            for (String name : List.of("t \"q\" ’x’ 日本", "x\"; DROP TABLE y; --", "Mixed.Case", "100%", "back\\slash", "'")) {
                Identifier table = new Identifier(schema, name);
                conn.execute(new SQL("CREATE TABLE {} ({} text)").format(table, new Identifier("col \"1\"")));
                conn.execute(new SQL("INSERT INTO {} ({}) VALUES ({})").format(table, new Identifier("col \"1\""), name));
                Row found = conn.execute("SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE c.relname = %s AND n.nspname = %s", name, schema).fetchone();
                assertThat(found).as(name).isNotNull();
                assertThat(found.getString(0)).isEqualTo(name);
                assertThat(found.getString(1)).isEqualTo(schema);
                assertThat(conn.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1",
                        table.asString()).fetchone().getString(0)).isEqualTo("col \"1\"");
                assertThat(selectText(new SQL("SELECT {} FROM {}").format(new Identifier("col \"1\""), table))).isEqualTo(name);
            }
            long count = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = %s AND c.relkind = 'r'", schema).fetchone().getLong(0);
            assertThat(count).isEqualTo(6);
        } finally {
            conn.execute(new SQL("DROP SCHEMA {} CASCADE").format(new Identifier(schema)));
        }
    }

    @Test
    void namedPlaceholdersWithAMap() {
        List<String> cols = List.of("a b", "c\"d");
        conn.execute(new SQL("CREATE TEMP TABLE {} ({})").format(new Identifier("np"),
                new SQL(", ").join(cols.stream().map(c -> new Identifier(c).plus(new SQL(" text"))).toList())));
        conn.execute(new SQL("INSERT INTO np ({}) VALUES ({})").format(
                new SQL(", ").join(cols.stream().map(Identifier::new).toList()),
                new SQL(", ").join(List.of(new Placeholder("x"), new Placeholder("y", dev.tusk.adapt.Format.TEXT)))),
                Map.of("x", "'; DROP TABLE np; --", "y", "%s"));
        Row r = conn.execute("SELECT * FROM np").fetchone();
        assertThat(r.getString(0)).isEqualTo("'; DROP TABLE np; --");
        assertThat(r.getString(1)).isEqualTo("%s");
    }

    @Test
    void withoutParametersTheTextIsSentAsWritten() {
        Cursor<Row> cur = conn.execute(new SQL("SELECT 1; SELECT {}::text").format("two; 100%"));
        assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
        assertThat(cur.nextset()).isTrue();
        assertThat(cur.fetchone().getString(0)).isEqualTo("two; 100%");
    }

    @Test
    void parameterListWithOptions() {
        Composable q = new SQL("SELECT {}::text, {}").format("50% off", new Placeholder(dev.tusk.adapt.Format.TEXT));
        Row r = conn.execute(q, List.of("x"), dev.tusk.ExecuteOptions.builder().prepare(true).build()).fetchone();
        assertThat(r.getString(0)).isEqualTo("50% off");
        assertThat(r.getString(1)).isEqualTo("x");
        long prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s",
                        "SELECT '50% off'::text, $1")
                .fetchone().getLong(0);
        assertThat(prepared).isEqualTo(1);
    }

    @Test
    void placeholdersWithoutParametersAreReportedNotSent() {
        assertThatThrownBy(() -> conn.execute(new SQL("SELECT {}").format(new Placeholder())))
                .isInstanceOf(ProgrammingException.class);
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void executemanyAndServerCursorsAcceptComposables() {
        conn.execute(new SQL("CREATE TEMP TABLE {} (v text)").format(new Identifier("em %")));
        Cursor<Row> cur = conn.cursor().executemany(
                new SQL("INSERT INTO {} VALUES ({})").format(new Identifier("em %"), new Placeholder()),
                List.of(List.of("a%"), List.of("'b'")));
        assertThat(cur.rowcount()).isEqualTo(2);
        conn.setAutocommit(false);
        try (ServerCursor<Row> sc = conn.cursor("sc")) {
            sc.execute(new SQL("SELECT v FROM {} WHERE v <> {} ORDER BY v").format(new Identifier("em %"), "%none%"));
            assertThat(sc.fetchall()).extracting(r -> r.getString(0)).containsExactly("'b'", "a%");
        }
        conn.rollback();
    }

    @Test
    void everyCastNameInTheTableIsTheServersNameForThatOid() {
        for (Map.Entry<Integer, String> e : TypeNames.all().entrySet()) {
            long oid = conn.execute("SELECT %s::regtype::oid", e.getValue()).fetchone().getLong(0);
            assertThat(oid).as(e.getValue()).isEqualTo(e.getKey().longValue());
        }
    }

    @Test
    void adaptedLiteralsUseTheConnectionsAdapters() {
        record Day(int y, int m, int d) {
        }
        conn.adapters().registerDumper(Day.class, new dev.tusk.adapt.Dumper<Day>() {
            @Override
            public java.nio.ByteBuffer dump(Day v) {
                return java.nio.ByteBuffer.wrap(String.format("%04d-%02d-%02d", v.y(), v.m(), v.d()).getBytes());
            }

            @Override
            public int oid() {
                return 1082;
            }

            @Override
            public dev.tusk.adapt.Format format() {
                return dev.tusk.adapt.Format.TEXT;
            }
        });
        Literal l = new Literal(new Day(2024, 2, 29));
        assertThat(l.asString(conn)).isEqualTo("'2024-02-29'::date");
        Row r = conn.execute(new SQL("SELECT pg_typeof({})::text, ({} + 1)::text").format(l, l)).fetchone();
        assertThat(r.getString(0)).isEqualTo("date");
        assertThat(r.getString(1)).isEqualTo("2024-03-01");
    }
}
