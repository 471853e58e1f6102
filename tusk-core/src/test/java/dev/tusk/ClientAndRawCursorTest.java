package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class ClientAndRawCursorTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void mogrifyQuotesEveryValueThroughTheAdapters() {
        ClientCursor<Row> cur = conn.clientCursor();
        assertThat(cur.mogrify("SELECT %s, %s, %s, %t", "it's", 42, null, LocalDate.of(2026, 11, 24)))
                .startsWith("SELECT 'it''s', 42, NULL, '2026-11-24'");
        assertThat(cur.mogrify("SELECT %(a)s || %(a)s, 100%%", Map.of("a", "x"))).isEqualTo("SELECT 'x' || 'x', 100%");
    }

    /**
     * psycopg's tests/test_client_cursor.py::test_mogrify: without parameters the query comes back unchanged
     * ({@code "select %%"} stays {@code "select %%"}), as execute(query) sends it; with parameters {@code %%} is one
     * {@code %}.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void mogrifyWithoutParametersReturnsTheQueryUnchangedAsPsycopg() {
        ClientCursor<Row> cur = conn.clientCursor();
        assertThat(cur.mogrify("select 'hello'")).isEqualTo("select 'hello'");
        assertThat(cur.mogrify("select %s, %s", 1, LocalDate.of(2020, 1, 1))).isEqualTo("select 1, '2020-01-01'::date");
        assertThat(cur.mogrify("select %(foo)s, %(foo)s", Map.of("foo", "x"))).isEqualTo("select 'x', 'x'");
        assertThat(cur.mogrify("select %%")).isEqualTo("select %%");
        assertThat(cur.mogrify("select %%, %s", "a")).isEqualTo("select %, 'a'");
        assertThat(cur.mogrify("select %%, %(foo)s", Map.of("foo", "x"))).isEqualTo("select %, 'x'");
        assertThat(cur.mogrify("select %%s, %(foo)s", Map.of("foo", "x"))).isEqualTo("select %s, 'x'");
        assertThat(cur.mogrify("select %%", new Object[0])).isEqualTo("select %"); // psycopg's mogrify(q, ())
        // what mogrify shows is what execute sends
        assertThat(cur.execute("select '100%%'").fetchone().getString(0)).isEqualTo("100%%");
        assertThat(cur.execute("select '100%%', %s", "a").fetchone().getString(0)).isEqualTo("100%");
    }

    @Test
    void parametersWorkWhereTheServerTakesNone() {
        ClientCursor<Row> cur = conn.clientCursor();
        cur.execute("SET application_name TO %s", "client cursor's");
        assertThat(conn.execute("SHOW application_name").fetchone().getString(0)).isEqualTo("client cursor's");
        cur.execute("CREATE TEMP TABLE d (c text DEFAULT %s, n numeric DEFAULT %s)", "o'clock", new BigDecimal("1.50"));
        conn.execute("INSERT INTO d DEFAULT VALUES");
        Row r = conn.execute("SELECT c, n FROM d").fetchone();
        assertThat(r.getString(0)).isEqualTo("o'clock");
        assertThat(r.get(1)).isEqualTo(new BigDecimal("1.50"));
    }

    @Test
    void hostileValuesStayValues() {
        conn.execute("CREATE TEMP TABLE v (s text)");
        ClientCursor<Row> cur = conn.clientCursor();
        List<String> hostile = List.of("'; DROP TABLE v; --", "\\'", "a\\\\b", "$$x$$", "\u2019 unicode ☃", "%s", "E'\\x41'");
        for (String h : hostile) {
            cur.execute("INSERT INTO v VALUES (%s)", h);
        }
        assertThat(conn.cursor(Rows.scalar()).execute("SELECT s FROM v").fetchall()).containsExactlyElementsOf(hostile);
    }

    @Test
    void executemanyIsOneSimpleQueryAndStreamWorks() {
        conn.execute("CREATE TEMP TABLE m (a int, b text)");
        RoundTripCounter counter = RoundTripCounter.attach(conn);
        conn.clientCursor().executemany("INSERT INTO m VALUES (%s, %s)", List.of(List.of(1, "a"), List.of(2, "b"), List.of(3, "c")));
        assertThat(counter.writes()).isEqualTo(1);
        try (Stream<Row> rows = conn.clientCursor().stream("SELECT a FROM m WHERE b <> %s ORDER BY a", "b")) {
            assertThat(rows.map(r -> r.getInt(0)).toList()).containsExactly(1, 3);
        }
    }

    @Test
    void binaryIsRefusedClearly() {
        ClientCursor<Row> cur = conn.clientCursor();
        assertThatThrownBy(() -> cur.setBinary(true)).isInstanceOf(NotSupportedException.class);
        assertThatThrownBy(() -> cur.execute("SELECT %b", 1)).isInstanceOf(NotSupportedException.class).hasMessageContaining("%b");
    }

    @Test
    void rawCursorSendsDollarPlaceholdersAsWritten() {
        RawCursor<Row> cur = conn.rawCursor();
        Row r = cur.execute("SELECT $1::int + $1::int, 'ratio: 100%', $2::text", 21, "x").fetchone();
        assertThat(r.getInt(0)).isEqualTo(42);
        assertThat(r.getString(1)).isEqualTo("ratio: 100%");
        assertThat(r.getString(2)).isEqualTo("x");
        conn.execute("CREATE TEMP TABLE r (a int)");
        conn.rawCursor().executemany("INSERT INTO r VALUES ($1)", List.of(List.of(1), List.of(2)));
        assertThat(conn.execute("SELECT sum(a) FROM r").fetchone().getInt(0)).isEqualTo(3);
        assertThatThrownBy(() -> conn.rawCursor().execute("SELECT $1", Map.of("a", 1))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("positional");
    }
}
